//! The `.wandb` transaction log's framing (LevelDB log blocks with W&B's file header), as a
//! streaming reader: bytes are pushed as they are read from the file, whole records come out.
//! Pure: no IO. A torn tail is "need more", a bad checksum skips to the next block.

/// Bytes per block; chunks never cross a block boundary.
pub(crate) const BLOCK: u64 = 32_768;
/// Bytes of a chunk header (and of the W&B file header).
pub const HEADER: u64 = 7;
/// The most an assembled record may take (bounds memory under corruption).
pub(crate) const MAX_RECORD: usize = 64 << 20;

const FULL: u8 = 1;
const FIRST: u8 = 2;
const MIDDLE: u8 = 3;
const LAST: u8 = 4;

/// What the file header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FileHeader {
    /// Fewer than 7 bytes: the writer has not written it yet.
    NotStarted,
    /// A W&B transaction log this reader understands.
    Ok,
    /// Written by a newer wandb (format version `n`).
    Newer(u8),
    /// Not a W&B transaction log.
    Bad,
}

/// Checks the 7-byte file header.
pub(crate) fn file_header(bytes: &[u8]) -> FileHeader {
    if bytes.len() < HEADER as usize {
        return FileHeader::NotStarted;
    }
    match (&bytes[..4], &bytes[4..6], bytes[6]) {
        (b":W&B", [0xe1, 0xbe], 0) => FileHeader::Ok,
        (b":W&B", [0xe1, 0xbe], v) => FileHeader::Newer(v),
        _ => FileHeader::Bad,
    }
}

/// One step of reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A whole record: where it starts, where the next one starts, and its payload.
    Record {
        /// Absolute offset of its first chunk.
        start: u64,
        /// Absolute offset just past it (the next record's start).
        end: u64,
        /// The protobuf payload.
        payload: Vec<u8>,
    },
    /// Nothing more until the file grows (or, for a finished file, its end, perhaps torn).
    NeedMore,
    /// Damaged bytes were skipped: from, to, and why.
    Skipped {
        /// Where the damage starts.
        from: u64,
        /// Where reading resumes (a block boundary).
        to: u64,
        /// What was wrong.
        why: &'static str,
    },
}

/// A streaming reader: [`Framer::push`] the bytes read from the file (from the offset it asks
/// for), then call [`Framer::next_step`] until it says [`Step::NeedMore`].
#[derive(Clone, Debug)]
pub struct Framer {
    /// Absolute offset of `buf[0]`.
    base: u64,
    buf: Vec<u8>,
    /// Absolute offset of the next record's start.
    next: u64,
}

impl Framer {
    /// A reader that starts at `offset`, a record start (7 for a new file).
    pub fn at(offset: u64) -> Self {
        Self {
            base: offset,
            buf: Vec::new(),
            next: offset.max(HEADER),
        }
    }

    /// The offset of the next record's start: what to remember to resume reading.
    pub(crate) fn resume_at(&self) -> u64 {
        self.next
    }

    /// Appends bytes read from the file at [`Framer::wants`].
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The file's end as far as this reader knows.
    fn end(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    fn slice(&self, from: u64, to: u64) -> &[u8] {
        &self.buf[(from - self.base) as usize..(to - self.base) as usize]
    }

    /// Forgets bytes before the next record once they are most of the buffer (keeps memory
    /// bounded without moving the rest of the buffer after every record).
    fn compact(&mut self) {
        if self.next > self.base {
            let cut = ((self.next - self.base) as usize).min(self.buf.len());
            if cut >= 1 << 16 && cut * 2 >= self.buf.len() {
                self.buf.drain(..cut);
                self.base += cut as u64;
            }
        }
    }

    fn skip_to_next_block(&mut self, from: u64, why: &'static str) -> Step {
        let to = (from / BLOCK + 1) * BLOCK;
        self.next = to.max(self.next);
        self.compact_to(to);
        Step::Skipped { from, to, why }
    }

    fn compact_to(&mut self, to: u64) {
        let cut = (to.saturating_sub(self.base) as usize).min(self.buf.len());
        self.buf.drain(..cut);
        self.base += cut as u64;
        if self.base < to {
            // The skipped region is not read yet: start there when it arrives.
            self.buf.clear();
            self.base = to;
        }
    }

    /// Reads the next record, if it is whole.
    pub fn next_step(&mut self) -> Step {
        let end = self.end();
        let mut p = self.next;
        let mut assembled: Option<(u64, Vec<u8>)> = None;
        loop {
            let left = BLOCK - p % BLOCK;
            if left < HEADER {
                p += left;
                if assembled.is_none() {
                    self.next = p;
                }
                continue;
            }
            if p + HEADER > end {
                return Step::NeedMore;
            }
            let growing = (end - 1) / BLOCK == p / BLOCK;
            let h = self.slice(p, p + HEADER);
            let crc = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
            let len = u64::from(u16::from_le_bytes([h[4], h[5]]));
            let kind = h[6];
            if crc == 0 && len == 0 && kind == 0 {
                if growing {
                    return Step::NeedMore;
                }
                return self.skip_to_next_block(p, "a zeroed block");
            }
            if p % BLOCK + HEADER + len > BLOCK {
                return self.skip_to_next_block(p, "a chunk crosses a block boundary");
            }
            if p + HEADER + len > end {
                return Step::NeedMore;
            }
            let mut hasher = crc32fast::Hasher::new();
            hasher.update(&[kind]);
            hasher.update(self.slice(p + HEADER, p + HEADER + len));
            if hasher.finalize() != crc {
                if growing {
                    return Step::NeedMore;
                }
                // Its length still frames the chunk: skip just it (and the record it belongs
                // to); if the length itself was hit, the next step lands on garbage and skips
                // to the next block.
                let chunk_end = p + HEADER + len;
                self.next = chunk_end;
                self.compact();
                return Step::Skipped {
                    from: p,
                    to: chunk_end,
                    why: "a checksum mismatch",
                };
            }
            let payload_at = (p + HEADER, p + HEADER + len);
            let chunk_end = p + HEADER + len;
            match kind {
                FULL => {
                    let payload = self.slice(payload_at.0, payload_at.1).to_vec();
                    self.next = chunk_end;
                    self.compact();
                    return Step::Record {
                        start: p,
                        end: chunk_end,
                        payload,
                    };
                }
                FIRST => {
                    assembled = Some((p, self.slice(payload_at.0, payload_at.1).to_vec()));
                }
                MIDDLE | LAST => match assembled.as_mut() {
                    None => {
                        // An orphan after a resynchronisation: skip this one chunk.
                        self.next = chunk_end;
                        p = chunk_end;
                        continue;
                    }
                    Some((start, data)) => {
                        data.extend_from_slice(self.slice(payload_at.0, payload_at.1));
                        if data.len() > MAX_RECORD {
                            let from = *start;
                            return self.skip_to_next_block(from, "a record over 64 MiB");
                        }
                        if kind == LAST {
                            let (start, payload) = assembled.take().unwrap_or_default();
                            self.next = chunk_end;
                            self.compact();
                            return Step::Record {
                                start,
                                end: chunk_end,
                                payload,
                            };
                        }
                    }
                },
                _ => return self.skip_to_next_block(p, "an unknown chunk type"),
            }
            p = chunk_end;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A writer that follows wandb-core's rules, for layouts the real files may not show.
    pub fn write(records: &[Vec<u8>]) -> Vec<u8> {
        let mut out = b":W&B\xe1\xbe\x00".to_vec();
        for r in records {
            let mut rest: &[u8] = r;
            let mut first = true;
            loop {
                let left = (BLOCK - out.len() as u64 % BLOCK) as usize;
                if left < HEADER as usize {
                    out.extend(std::iter::repeat_n(0u8, left));
                    continue;
                }
                let room = left - HEADER as usize;
                let n = rest.len().min(room);
                let last = n == rest.len();
                let kind = match (first, last) {
                    (true, true) => FULL,
                    (true, false) => FIRST,
                    (false, false) => MIDDLE,
                    (false, true) => LAST,
                };
                let mut h = crc32fast::Hasher::new();
                h.update(&[kind]);
                h.update(&rest[..n]);
                out.extend_from_slice(&h.finalize().to_le_bytes());
                out.extend_from_slice(&(n as u16).to_le_bytes());
                out.push(kind);
                out.extend_from_slice(&rest[..n]);
                rest = &rest[n..];
                first = false;
                if last {
                    break;
                }
            }
        }
        out
    }

    fn read_all(bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut f = Framer::at(HEADER);
        f.push(&bytes[HEADER as usize..]);
        let mut out = Vec::new();
        loop {
            match f.next_step() {
                Step::Record { payload, .. } => out.push(payload),
                Step::NeedMore => return out,
                Step::Skipped { .. } => {}
            }
        }
    }

    #[test]
    fn padding_empty_first_chunks_and_middles() {
        // Sizes that leave 1..=7 bytes at block ends, and records spanning several blocks.
        let mut records = Vec::new();
        for pad in 0..8usize {
            records.push(vec![
                pad as u8;
                32_768 - 7 - 7 - 7 - pad - records.len() % 3
            ]);
        }
        records.push(vec![9u8; 100_000]);
        let bytes = write(&records);
        assert_eq!(read_all(&bytes), records);
        // Every prefix yields the records that end before the cut, never a skip.
        for cut in (7..bytes.len()).step_by(997) {
            let got = read_all(&bytes[..cut]);
            assert!(records.starts_with(&got));
        }
        assert_eq!(file_header(&bytes[..3]), FileHeader::NotStarted);
        assert_eq!(file_header(b":W&B\xe1\xbe\x01"), FileHeader::Newer(1));
        assert_eq!(file_header(b"abcdefg"), FileHeader::Bad);
    }
}
