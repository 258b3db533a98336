//! Labels of a page or blog post: read (Cloud v2, Server/DC v1) and add (v1 on both: v2 labels
//! are read-only, and the API gateway still serves v1 label writes). Names are checked first, as Confluence would refuse them.

use serde_json::{Value, json};

use super::scope::{results, text};
use super::{Confluence, Error};
use crate::atlassian::segment;

/// Refuse label names Confluence does not accept (spaces and `:;,.?&[]()#^*@!`).
fn check_label(name: &str) -> Result<String, Error> {
    let name = name.trim();
    let bad = name
        .chars()
        .find(|c| c.is_whitespace() || ":;,.?&[]()#^*@!<>\"'".contains(*c));
    match bad {
        _ if name.is_empty() => Err(Error::Invalid {
            param: "name",
            problem: "a label needs a name".into(),
        }),
        Some(c) => Err(Error::Invalid {
            param: "name",
            problem: format!("labels cannot contain {c:?}; use - or _ between words"),
        }),
        None if name.len() > 255 => Err(Error::Invalid {
            param: "name",
            problem: "at most 255 characters".into(),
        }),
        None => Ok(name.to_lowercase()),
    }
}

fn shape(labels: Vec<Value>) -> Vec<Value> {
    labels
        .iter()
        .map(|l| json!({"name": text(l, "/name"), "prefix": text(l, "/prefix"), "id": text(l, "/id")}))
        .collect()
}

impl Confluence {
    /// The labels of a page.
    pub fn labels(&self, page_id: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        self.check_page(page_id, cancelled)?;
        let (items, _) = if self.cloud() {
            self.v2_list_under(page_id, "labels", &[], 0, 1000, cancelled)?
        } else {
            let path = format!("/rest/api/content/{}/label", segment(page_id));
            self.list(&path, &[], 0, 1000, 200, cancelled, &super::scope::quiet)?
        };
        let labels = shape(items);
        Ok(json!({"page_id": page_id, "count": labels.len(), "labels": labels}))
    }

    /// Add a label; the page's labels after it come back.
    pub fn add_label(
        &self,
        page_id: &str,
        name: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let name = check_label(name)?;
        self.check_page(page_id, cancelled)?;
        let answer = self
            .client
            .post(&format!("/rest/api/content/{}/label", segment(page_id)))
            .json(json!([{"prefix": "global", "name": name}]))
            .cancel_when(cancelled)
            .send_json()?;
        let labels = shape(results(&answer));
        Ok(json!({"message": format!("label {name} added"), "page_id": page_id, "labels": labels}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names() {
        assert_eq!(check_label(" Release-2 ").unwrap(), "release-2");
        assert!(check_label("two words").is_err());
        assert!(check_label("a:b").is_err());
        assert!(check_label("").is_err());
    }
}
