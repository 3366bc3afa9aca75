//! Group archives the emulated CDN serves (`<group>/archive/zip|tar/`): uncompressed ZIP
//! (method "stored") and POSIX ustar, written here so the emulator needs no archive crate.
//! Entry names are the files' original names, made unique with a ` (n)` suffix.

/// One member: its name and bytes.
pub(crate) struct Entry<'a> {
    pub name: String,
    pub data: &'a [u8],
}

/// Names made unique in order (`a.txt`, `a (1).txt`, …) and stripped of `/` and `\`.
pub(crate) fn unique_names<'a>(entries: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<Entry<'a>> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (name, data) in entries {
        let clean: String = name
            .chars()
            .map(|c| if c == '/' || c == '\\' { '_' } else { c })
            .collect();
        let clean = if clean.is_empty() {
            "file".to_owned()
        } else {
            clean
        };
        let mut candidate = clean.clone();
        let mut n = 1;
        while !seen.insert(candidate.clone()) {
            candidate = match clean.rsplit_once('.') {
                Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
                _ => format!("{clean} ({n})"),
            };
            n += 1;
        }
        out.push(Entry {
            name: candidate,
            data,
        });
    }
    out
}

/// A ZIP archive with every entry stored (no compression), UTF-8 names flagged.
pub(crate) fn zip(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = out.len() as u32;
        let crc = crate::samples::crc32(entry.data);
        let size = entry.data.len() as u32;
        let name = entry.name.as_bytes();
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
        out.extend_from_slice(&0u16.to_le_bytes()); // stored
        out.extend_from_slice(&0u32.to_le_bytes()); // time, date
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(entry.data);
        // Central directory record.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&20u16.to_le_bytes()); // needed
        central.extend_from_slice(&0x0800u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let central_offset = out.len() as u32;
    let count = entries.len() as u16;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A ustar archive; names longer than 100 bytes are cut (the emulator's files have short ones).
pub(crate) fn tar(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in entries {
        let mut header = [0u8; 512];
        let name = entry.name.as_bytes();
        let n = name.len().min(100);
        header[..n].copy_from_slice(&name[..n]);
        header[100..108].copy_from_slice(b"0000644\0");
        header[108..116].copy_from_slice(b"0000000\0");
        header[116..124].copy_from_slice(b"0000000\0");
        header[124..136].copy_from_slice(format!("{:011o}\0", entry.data.len()).as_bytes());
        header[136..148].copy_from_slice(b"00000000000\0");
        header[148..156].copy_from_slice(b"        ");
        header[156] = b'0';
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(entry.data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let names: Vec<String> =
            unique_names([("a.txt", &b""[..]), ("a.txt", b""), ("x/y", b""), ("a.txt", b"")])
                .into_iter()
                .map(|e| e.name)
                .collect();
        assert_eq!(names, ["a.txt", "a (1).txt", "x_y", "a (2).txt"]);
    }

    #[test]
    fn tar_layout() {
        let entries = unique_names([("hello.txt", &b"hello"[..])]);
        let archive = tar(&entries);
        assert_eq!(archive.len(), 512 + 512 + 1024);
        assert_eq!(&archive[..9], b"hello.txt");
        assert_eq!(&archive[512..517], b"hello");
        assert_eq!(&archive[257..262], b"ustar");
    }
}
