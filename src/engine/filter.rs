//! Evaluating run and artifact filters (the automation file's Mongo-like operators) against an
//! event's fields. `$regex` is Rust `regex` syntax, unanchored, as on W&B; patterns are
//! compiled once.

use crate::model::Expr;
use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;

/// The fields a filter can ask about (`display_name`, `username`, `alias`, `tag`).
pub(crate) type Fields<'a> = [(&'a str, Option<&'a str>)];

/// Compiled regular expressions by pattern; a pattern that does not compile matches nothing.
#[derive(Debug, Default)]
pub(crate) struct Patterns(HashMap<String, Option<Regex>>);

impl Patterns {
    fn is_match(&mut self, pattern: &str, text: &str) -> bool {
        self.0
            .entry(pattern.to_string())
            .or_insert_with(|| Regex::new(pattern).ok())
            .as_ref()
            .is_some_and(|r| r.is_match(text))
    }
}

fn field<'a>(fields: &Fields<'a>, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| *v)
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn order(value: &str, operand: &Value) -> Option<std::cmp::Ordering> {
    match (value.parse::<f64>(), operand.as_f64()) {
        (Ok(a), Some(b)) => a.partial_cmp(&b),
        _ => Some(value.cmp(scalar(operand)?.as_str())),
    }
}

fn equals(value: Option<&str>, operand: &Value) -> bool {
    match operand {
        Value::Array(items) => items.iter().any(|i| equals(value, i)),
        Value::Null => value.is_none(),
        other => value.is_some_and(|v| scalar(other).is_some_and(|s| s == v)),
    }
}

fn op_holds(patterns: &mut Patterns, value: Option<&str>, op: &str, operand: &Value) -> bool {
    use std::cmp::Ordering as O;
    let cmp = |wanted: &[O]| {
        value
            .and_then(|v| order(v, operand))
            .is_some_and(|o| wanted.contains(&o))
    };
    match op {
        "$eq" => equals(value, operand),
        "$ne" => !equals(value, operand),
        "$gt" => cmp(&[O::Greater]),
        "$gte" => cmp(&[O::Greater, O::Equal]),
        "$lt" => cmp(&[O::Less]),
        "$lte" => cmp(&[O::Less, O::Equal]),
        "$in" => operand
            .as_array()
            .is_some_and(|l| l.iter().any(|i| equals(value, i))),
        "$nin" => !operand
            .as_array()
            .is_some_and(|l| l.iter().any(|i| equals(value, i))),
        "$regex" => match (value, operand.as_str()) {
            (Some(v), Some(p)) => patterns.is_match(p, v),
            _ => false,
        },
        "$contains" => match (value, operand.as_str()) {
            (Some(v), Some(s)) => v.contains(s),
            _ => false,
        },
        "$exists" => operand.as_bool().unwrap_or(true) == value.is_some(),
        "$size" => operand.as_i64() == Some(i64::from(value.is_some())),
        "$not" => match operand {
            Value::Object(inner) => !inner.iter().all(|(k, v)| op_holds(patterns, value, k, v)),
            other => !equals(value, other),
        },
        _ => false,
    }
}

/// Whether `expr` holds for `fields`.
pub fn holds(patterns: &mut Patterns, expr: &Expr, fields: &Fields<'_>) -> bool {
    match expr {
        Expr::And(list) => list.iter().all(|e| holds(patterns, e, fields)),
        Expr::Or(list) => list.iter().any(|e| holds(patterns, e, fields)),
        Expr::Nor(list) => !list.iter().any(|e| holds(patterns, e, fields)),
        Expr::Not(inner) => !holds(patterns, inner, fields),
        Expr::Field { field: name, ops } => {
            let value = field(fields, name);
            ops.iter()
                .all(|(op, operand)| op_holds(patterns, value, op, operand))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(expr: Value, name: Option<&str>) -> bool {
        let e = Expr::from_file(&expr).unwrap();
        holds(&mut Patterns::default(), &e, &[("display_name", name)])
    }

    #[test]
    fn every_operator() {
        assert!(check(json!({"display_name": "sweep-7"}), Some("sweep-7")));
        assert!(check(
            json!({"display_name": {"$regex": "^sweep-"}}),
            Some("sweep-7")
        ));
        assert!(!check(
            json!({"display_name": {"$regex": "^sweep-"}}),
            Some("a-sweep-7")
        ));
        assert!(
            check(json!({"display_name": {"$regex": "eep"}}), Some("sweep")),
            "unanchored"
        );
        assert!(check(json!({"display_name": {"$ne": "x"}}), None));
        assert!(check(
            json!({"display_name": {"$in": ["a", "b"]}}),
            Some("b")
        ));
        assert!(check(
            json!({"display_name": {"$nin": ["a", "b"]}}),
            Some("c")
        ));
        assert!(check(
            json!({"display_name": {"$contains": "ee"}}),
            Some("sweep")
        ));
        assert!(check(json!({"display_name": {"$exists": false}}), None));
        assert!(check(json!({"display_name": {"$gt": "a"}}), Some("b")));
        assert!(
            check(json!({"display_name": {"$lte": 10}}), Some("9")),
            "numbers compare as numbers"
        );
        assert!(check(
            json!({"$or": [{"display_name": "a"}, {"display_name": "b"}]}),
            Some("b")
        ));
        assert!(check(json!({"$nor": [{"display_name": "a"}]}), Some("b")));
        assert!(check(
            json!({"display_name": {"$not": {"$regex": "^a"}}}),
            Some("b")
        ));
        assert!(!check(
            json!({"$and": [{"display_name": "a"}, {"display_name": "b"}]}),
            Some("b")
        ));
    }
}
