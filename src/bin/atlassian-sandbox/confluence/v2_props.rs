//! Confluence Cloud REST v2 content properties of pages and blog posts
//! (`/{pages|blogposts}/{id}/properties`): the list (`key` filter, cursor paging), create
//! (`POST {key, value}`, 409 when the key exists) and update (`PUT .../{property-id}` with the
//! version one above the stored one), kept in the same store as v1's `/content/{id}/property`.

use super::v2::{account, cursor_page};
use super::v2_err;
use crate::http::{Req, Resp};
use crate::model::Page;
use crate::router::Ctx;
use crate::time;
use serde_json::{Value, json};

/// The properties of content `i`, `key` narrowing them to one.
pub fn list(ctx: &Ctx, i: usize, req: &Req) -> Resp {
    let p = &ctx.st.conf.pages[i];
    let key = req.q("key");
    let all = p
        .properties
        .iter()
        .filter(|(k, _)| key.is_none_or(|want| want == k.as_str()))
        .map(|(k, v)| property_v2(ctx, p, k, v))
        .collect();
    cursor_page(ctx, req, all)
}

fn property_v2(ctx: &Ctx, p: &Page, key: &str, v: &crate::model::Property) -> Value {
    json!({"id": v.id.to_string(), "key": key, "value": v.value,
        "version": {"number": v.version, "createdAt": time::conf(&p.current().when), "message": "",
                    "minorEdit": false, "authorId": account(ctx, &p.current().by)}})
}

/// `POST /{pages|blogposts}/{id}/properties` (`{key, value}`) and `PUT .../properties/{property-id}`
/// (`{key, value, version: {number}}`, the number one above the stored one): the v1 property
/// store behind v2 shapes.
pub fn set(ctx: &mut Ctx, id: &str, prop_id: Option<&str>, req: &Req) -> Resp {
    let body = match super::v2_write::body_json(req) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(i) = ctx.st.page_index(id) else {
        return v2_err(404, &format!("No content found with id {id}"));
    };
    if !ctx.st.can_edit_page(&ctx.user, &ctx.st.conf.pages[i]) {
        return v2_err(
            403,
            "You do not have permission to change properties of this content",
        );
    }
    let Some(key) = body["key"].as_str().map(String::from) else {
        return v2_err(400, "A content property needs a key");
    };
    if body.get("value").is_none() {
        return v2_err(400, "A content property needs a value");
    }
    let p = &ctx.st.conf.pages[i];
    let (version, pid) = match (prop_id, p.properties.get(&key)) {
        (None, Some(_)) => {
            return v2_err(409, &format!("A property with key {key} already exists"));
        }
        (None, None) => (1, ctx.st.new_id()),
        (Some(want), Some(old)) if old.id.to_string() == want => {
            let sent = body["version"]["number"].as_u64().unwrap_or(0) as u32;
            if sent != old.version + 1 {
                return v2_err(
                    409,
                    &format!(
                        "Version must be incremented on update. Current version is: {}",
                        old.version
                    ),
                );
            }
            (sent, old.id)
        }
        (Some(want), _) => {
            return v2_err(404, &format!("No property with id {want} and key {key}"));
        }
    };
    let prop = crate::model::Property {
        value: body["value"].clone(),
        version,
        id: pid,
    };
    ctx.st.conf.pages[i]
        .properties
        .insert(key.clone(), prop.clone());
    let p = &ctx.st.conf.pages[i];
    Resp::ok(property_v2(ctx, p, &key, &prop))
}
