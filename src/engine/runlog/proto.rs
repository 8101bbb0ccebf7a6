//! Just enough protobuf to read the few `Record` fields the engine needs: varints and
//! length-delimited fields by number, in any order; every other field is skipped by wire type.

/// A field's value as it is on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A varint (ints, bools, enums).
    Varint(u64),
    /// Bytes (strings, nested messages).
    Bytes(&'a [u8]),
    /// Fixed 32 or 64 bits (not used by the fields read).
    Fixed,
}

/// Why a message could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

fn varint(bytes: &[u8], pos: &mut usize) -> Result<u64, Malformed> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*pos).ok_or(Malformed)?;
        *pos += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(out);
        }
    }
    Err(Malformed)
}

/// The fields of a message, in wire order.
pub fn fields(bytes: &[u8]) -> Fields<'_> {
    Fields { bytes, pos: 0 }
}

/// An iterator over a message's fields: `(number, value)`, or one error and then nothing.
pub struct Fields<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, Value<'a>), Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let result = (|| {
            let key = varint(self.bytes, &mut self.pos)?;
            let number = u32::try_from(key >> 3).map_err(|_| Malformed)?;
            let value = match key & 7 {
                0 => Value::Varint(varint(self.bytes, &mut self.pos)?),
                1 => {
                    self.pos = self
                        .pos
                        .checked_add(8)
                        .filter(|p| *p <= self.bytes.len())
                        .ok_or(Malformed)?;
                    Value::Fixed
                }
                2 => {
                    let len = usize::try_from(varint(self.bytes, &mut self.pos)?)
                        .map_err(|_| Malformed)?;
                    let end = self
                        .pos
                        .checked_add(len)
                        .filter(|e| *e <= self.bytes.len())
                        .ok_or(Malformed)?;
                    let v = &self.bytes[self.pos..end];
                    self.pos = end;
                    Value::Bytes(v)
                }
                5 => {
                    self.pos = self
                        .pos
                        .checked_add(4)
                        .filter(|p| *p <= self.bytes.len())
                        .ok_or(Malformed)?;
                    Value::Fixed
                }
                _ => return Err(Malformed),
            };
            Ok((number, value))
        })();
        if result.is_err() {
            self.pos = self.bytes.len();
        }
        Some(result)
    }
}

/// A string field's text (lossy for invalid UTF-8).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
