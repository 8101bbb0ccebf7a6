//! Facts about this machine's processes: the host's name and whether a process is alive (for a
//! run log's writer, and to say who holds the evaluator's lease).

/// This host's name (empty when it cannot be read).
pub(crate) fn name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `buf.len()` bytes into the buffer.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    if !ok {
        return String::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).to_string()
}

/// Whether a process is alive on this host.
pub(crate) fn alive(pid: i64) -> bool {
    i32::try_from(pid).is_ok_and(|pid| {
        // SAFETY: signal 0 only checks that the process exists; it sends nothing.
        pid > 0
            && (unsafe { libc::kill(pid, 0) } == 0
                || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
    })
}
