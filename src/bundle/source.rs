//! Where an import reads its bundle from: bytes in memory (the HTTP body, already inflated) or
//! a file (plain or gzip). The import reads the bundle several times, once for its outline and
//! once per collection (`super::sections`), so a source is something that can be opened again
//! at a byte offset: a plain file seeks, a gzip file is decompressed again from its start (the
//! bytes before the offset are inflated and dropped, never held), memory is sliced. Standard
//! input cannot be read twice: it is spooled into a temporary file first ([`Source::spool`]),
//! removed when the source is dropped.

use actix_web::web::Bytes;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The first bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Buffer of each read pass.
const BUFFER: usize = 1 << 16;

/// A bundle's bytes, readable again from any offset of its (decompressed) text.
pub enum Source {
    /// The text itself (an HTTP body, inflated).
    Memory(Bytes),
    /// A file; `gzip` when it is compressed. `spooled` is removed on drop.
    File {
        path: PathBuf,
        gzip: bool,
        spooled: bool,
    },
}

impl Source {
    /// A file, gzip when its name ends in `.gz` or it starts with gzip's magic bytes.
    pub fn file(path: &Path) -> io::Result<Self> {
        let mut start = [0u8; 2];
        let mut file = File::open(path)?;
        let read = file.read(&mut start)?;
        let gzip =
            path.extension().is_some_and(|e| e == "gz") || (read == 2 && start == GZIP_MAGIC);
        Ok(Source::File {
            path: path.to_path_buf(),
            gzip,
            spooled: false,
        })
    }

    /// Copies `input` (standard input) into a temporary file in `dir`, so that it can be read
    /// more than once; `counted` is told the bytes copied so far.
    pub fn spool(
        mut input: impl Read,
        dir: &Path,
        mut counted: impl FnMut(u64),
    ) -> io::Result<Self> {
        let name = format!(
            "ogp-import-{}-{}.spool",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        let path = dir.join(name);
        // From here on the file is ours: removed on drop, whatever happens next.
        let mut source = Source::File {
            path: path.clone(),
            gzip: false,
            spooled: true,
        };
        let mut out = io::BufWriter::new(File::create_new(&path)?);
        let mut buffer = vec![0u8; BUFFER];
        let mut total = 0u64;
        let mut first: Vec<u8> = Vec::with_capacity(2);
        loop {
            let n = match input.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if first.len() < 2 {
                first.extend(buffer[..n].iter().take(2 - first.len()));
            }
            out.write_all(&buffer[..n])?;
            total += n as u64;
            counted(total);
        }
        out.flush()?;
        if let Source::File { gzip, .. } = &mut source {
            *gzip = first == GZIP_MAGIC;
        }
        Ok(source)
    }

    /// The size of what is read, when known without reading it (a gzip file's text is not).
    pub fn size(&self) -> Option<u64> {
        match self {
            Source::Memory(bytes) => Some(bytes.len() as u64),
            Source::File { gzip: true, .. } => None,
            Source::File { path, .. } => std::fs::metadata(path).ok().map(|m| m.len()),
        }
    }

    /// The text from byte `offset` on.
    pub fn open_at(&self, offset: u64) -> io::Result<Box<dyn BufRead + Send>> {
        match self {
            Source::Memory(bytes) => {
                let mut cursor = Cursor::new(bytes.clone());
                cursor.set_position(offset);
                Ok(Box::new(cursor))
            }
            Source::File {
                path, gzip: false, ..
            } => {
                let mut file = File::open(path)?;
                file.seek(SeekFrom::Start(offset))?;
                Ok(Box::new(BufReader::with_capacity(BUFFER, file)))
            }
            Source::File {
                path, gzip: true, ..
            } => {
                let file = BufReader::with_capacity(BUFFER, File::open(path)?);
                // Multi-member: `pigz` output and concatenated `.gz` files are whole streams too.
                let mut text =
                    BufReader::with_capacity(BUFFER, flate2::bufread::MultiGzDecoder::new(file));
                let skipped = io::copy(&mut (&mut text).take(offset), &mut io::sink())?;
                if skipped < offset {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the file is shorter than when it was first read",
                    ));
                }
                Ok(Box::new(text))
            }
        }
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        if let Source::File {
            path,
            spooled: true,
            ..
        } = self
        {
            let _ = std::fs::remove_file(path);
        }
    }
}
