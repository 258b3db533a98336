//! Files in and out of tools, once for every attachment tool: an upload read from a path confined
//! to one directory (no `..`, no absolute path outside it, no symlink leaving it), or decoded
//! from base64 under the size cap; a download turned into content for the model (an image, an
//! embedded file, or a link when it is over the inline cap); MIME types from file names.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::mcp::content::base64_decode;
use crate::mcp::{Content, ToolError};

/// A file ready to upload.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    pub filename: String,
    pub mime_type: String,
    pub data: Vec<u8>,
}

fn bad(param: &str, problem: impl Into<String>) -> ToolError {
    ToolError::InvalidArgument {
        param: param.into(),
        problem: problem.into(),
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// The MIME type of a file name, by extension (`application/octet-stream` when unknown).
pub fn mime_for(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("bmp") => "image/bmp",
        Some("pdf") => "application/pdf",
        Some("txt" | "log") => "text/plain",
        Some("md") => "text/markdown",
        Some("csv") => "text/csv",
        Some("html" | "htm") => "text/html",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("yaml" | "yml") => "application/yaml",
        Some("zip") => "application/zip",
        Some("gz") => "application/gzip",
        Some("tar") => "application/x-tar",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("mp4") => "video/mp4",
        Some("mp3") => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

/// `path` without Windows' verbatim prefix: `\\?\C:\dir` becomes `C:\dir` and
/// `\\?\UNC\server\share` becomes `\\server\share` (what `canonicalize` returns there, and
/// what a user never types). Any other path is returned as it is.
pub fn without_verbatim(path: &Path) -> PathBuf {
    let Some(s) = path.to_str() else {
        return path.to_path_buf();
    };
    if let Some(rest) = s.strip_prefix(r"\\?\UNC\") {
        return PathBuf::from(format!(r"\\{rest}"));
    }
    match s.strip_prefix(r"\\?\") {
        Some(rest)
            if rest.as_bytes().get(1) == Some(&b':')
                && rest.as_bytes()[0].is_ascii_alphabetic() =>
        {
            PathBuf::from(rest)
        }
        _ => path.to_path_buf(),
    }
}

/// Read the file at `path` (relative to `root`, or absolute inside it) for an upload of at most
/// `max` bytes. `param` names the argument in errors.
pub fn read_upload(param: &str, path: &str, root: &Path, max: u64) -> Result<Upload, ToolError> {
    let asked = Path::new(path.trim());
    if path.trim().is_empty() {
        return Err(bad(param, "the path is empty"));
    }
    if asked.components().any(|c| c == Component::ParentDir) {
        return Err(bad(
            param,
            format!("{path:?} contains .., which is not allowed"),
        ));
    }
    let given_root = root;
    let root = root.canonicalize().map_err(|e| {
        ToolError::failed(format!(
            "the upload directory {} is unusable: {e}",
            root.display()
        ))
        .hint("Set MCP_ATLASSIAN_UPLOAD_DIR to an existing directory")
    })?;
    let candidate: PathBuf = if asked.is_absolute() {
        asked.to_path_buf()
    } else {
        root.join(asked)
    };
    // Windows' canonical form is `\\?\C:\...`; an absolute path is usually written without
    // that prefix (and may name the directory as configured rather than canonically).
    let plain_root = without_verbatim(&root);
    let roots = [&root, &plain_root, given_root];
    let outside = || {
        bad(
            param,
            format!(
                "{path:?} is outside the upload directory {} (MCP_ATLASSIAN_UPLOAD_DIR)",
                root.display()
            ),
        )
    };
    if !roots.iter().any(|r| candidate.starts_with(r)) {
        return Err(outside());
    }
    // Symlinks resolve here: a link that points out of the directory is refused.
    let real = candidate
        .canonicalize()
        .map_err(|e| bad(param, format!("cannot open {path:?}: {e}")))?;
    if !real.starts_with(&root) {
        return Err(outside());
    }
    let meta = real
        .metadata()
        .map_err(|e| bad(param, format!("cannot open {path:?}: {e}")))?;
    if !meta.is_file() {
        return Err(bad(param, format!("{path:?} is not a regular file")));
    }
    if meta.len() > max {
        return Err(bad(
            param,
            format!(
                "{path:?} is {}, over the {} limit (MCP_ATLASSIAN_MAX_FILE_MB)",
                megabytes(meta.len()),
                megabytes(max)
            ),
        ));
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    File::open(&real)
        .and_then(|f| f.take(max + 1).read_to_end(&mut data))
        .map_err(|e| bad(param, format!("cannot read {path:?}: {e}")))?;
    if data.len() as u64 > max {
        return Err(bad(
            param,
            format!("{path:?} grew over the size limit while read"),
        ));
    }
    let filename = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    Ok(Upload {
        mime_type: mime_for(&filename).into(),
        filename,
        data,
    })
}

/// Decode base64 `content` for an upload named `filename`, of at most `max` bytes (checked
/// before decoding).
pub fn decode_upload(
    param: &str,
    filename: &str,
    content: &str,
    max: u64,
) -> Result<Upload, ToolError> {
    let encoded = content.bytes().filter(|b| !b.is_ascii_whitespace()).count() as u64;
    if encoded / 4 * 3 > max {
        return Err(bad(
            param,
            format!(
                "the decoded file would be about {}, over the {} limit (MCP_ATLASSIAN_MAX_FILE_MB)",
                megabytes(encoded / 4 * 3),
                megabytes(max)
            ),
        ));
    }
    let data = base64_decode(content).ok_or_else(|| bad(param, "not valid base64"))?;
    let filename = Path::new(filename.trim())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| bad("filename", "a file name is needed"))?;
    Ok(Upload {
        mime_type: mime_for(&filename).into(),
        filename,
        data,
    })
}

/// A downloaded file as content for the model: an image when it is one, else an embedded file;
/// a link to `uri` when it is larger than `inline_max` bytes.
pub fn file_content(
    name: &str,
    uri: &str,
    mime_type: &str,
    data: Vec<u8>,
    inline_max: u64,
) -> Content {
    let mime_type = if mime_type == "application/octet-stream" {
        mime_for(name).to_string()
    } else {
        mime_type.to_string()
    };
    if data.len() as u64 > inline_max {
        return Content::Link {
            uri: uri.into(),
            name: name.into(),
            mime_type: Some(mime_type),
            size: Some(data.len() as u64),
            description: Some(format!(
                "over the {} inline limit (MCP_ATLASSIAN_INLINE_FILE_MB)",
                megabytes(inline_max)
            )),
        };
    }
    if mime_type.starts_with("image/") && mime_type != "image/svg+xml" {
        Content::Image { data, mime_type }
    } else {
        Content::Resource {
            uri: uri.into(),
            mime_type,
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("mcp-atlassian-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn uploads_stay_inside_their_directory() {
        let base = scratch("confine");
        let root = base.join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.txt"), b"hello").unwrap();
        std::fs::write(base.join("secret.txt"), b"secret").unwrap();
        let ok = read_upload("p", "sub/a.txt", &root, 100).unwrap();
        assert_eq!(
            (ok.filename.as_str(), ok.mime_type.as_str()),
            ("a.txt", "text/plain")
        );
        assert_eq!(ok.data, b"hello");
        let abs = root.join("sub/a.txt");
        assert!(read_upload("p", abs.to_str().unwrap(), &root, 100).is_ok());
        for (path, why) in [
            ("../secret.txt", "contains .."),
            ("sub/../../secret.txt", "contains .."),
            (
                base.join("secret.txt").to_str().unwrap(),
                "outside the upload directory",
            ),
            ("/etc/passwd", "outside the upload directory"),
            ("sub", "not a regular file"),
            ("missing.txt", "cannot open"),
            ("", "empty"),
        ] {
            let e = read_upload("p", path, &root, 100).unwrap_err().to_string();
            assert!(e.contains(why), "{path}: {e}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("secret.txt"), root.join("link.txt")).unwrap();
            let e = read_upload("p", "link.txt", &root, 100)
                .unwrap_err()
                .to_string();
            assert!(e.contains("outside the upload directory"), "{e}");
        }
        let e = read_upload("p", "sub/a.txt", &root, 3)
            .unwrap_err()
            .to_string();
        assert!(e.contains("over the"), "{e}");
    }

    #[test]
    fn windows_verbatim_prefixes_are_dropped_for_comparison() {
        for (verbatim, plain) in [
            (r"\\?\C:\Users\me\uploads", r"C:\Users\me\uploads"),
            (r"\\?\d:\x", r"d:\x"),
            (r"\\?\UNC\server\share\dir", r"\\server\share\dir"),
            (r"C:\Users\me", r"C:\Users\me"),
            (r"\\?\Volume{1234}\dir", r"\\?\Volume{1234}\dir"),
            ("/home/me/uploads", "/home/me/uploads"),
            ("relative/dir", "relative/dir"),
        ] {
            assert_eq!(without_verbatim(Path::new(verbatim)), PathBuf::from(plain));
        }
    }

    #[test]
    fn an_absolute_path_may_name_the_directory_as_configured() {
        // The configured directory reached through a symlink: its canonical form differs from
        // what the user wrote (as `\\?\C:\...` differs from `C:\...` on Windows).
        let base = std::env::temp_dir().join(format!("mcp-up-given-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("real")).unwrap();
        std::fs::write(base.join("real/a.txt"), b"hi").unwrap();
        #[cfg(unix)]
        {
            let given = base.join("link");
            std::os::unix::fs::symlink(base.join("real"), &given).unwrap();
            let abs = given.join("a.txt");
            let ok = read_upload("p", abs.to_str().unwrap(), &given, 100).unwrap();
            assert_eq!(ok.data, b"hi");
            let canonical = base.join("real/a.txt").canonicalize().unwrap();
            assert!(read_upload("p", canonical.to_str().unwrap(), &given, 100).is_ok());
        }
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn base64_uploads_are_capped_before_decoding() {
        let ok = decode_upload("c", "dir/x.png", "aGVsbG8=", 10).unwrap();
        assert_eq!(
            (ok.filename.as_str(), ok.data.as_slice()),
            ("x.png", &b"hello"[..])
        );
        assert_eq!(ok.mime_type, "image/png");
        assert!(
            decode_upload("c", "x", &"A".repeat(4000), 100)
                .unwrap_err()
                .to_string()
                .contains("over the")
        );
        assert!(
            decode_upload("c", "x", "***", 100)
                .unwrap_err()
                .to_string()
                .contains("base64")
        );
        assert!(decode_upload("c", " ", "aGVsbG8=", 100).is_err());
    }

    #[test]
    fn downloads_become_images_files_or_links() {
        let png = file_content("a.png", "u", "application/octet-stream", vec![1, 2], 10);
        assert!(matches!(png, Content::Image { ref mime_type, .. } if mime_type == "image/png"));
        let pdf = file_content("a.pdf", "u", "application/pdf", vec![1, 2], 10);
        assert!(matches!(pdf, Content::Resource { .. }));
        let big = file_content("a.pdf", "u", "application/pdf", vec![0; 11], 10);
        assert!(matches!(big, Content::Link { size: Some(11), .. }));
    }
}
