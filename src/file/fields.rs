//! Reading one mapping of an automation file while collecting every problem with its path.

use crate::model::Problem;
use serde_json::{Map, Number, Value};

/// A mapping being read: typed getters that record problems instead of stopping at the first.
pub(crate) struct Fields<'a> {
    obj: &'a Map<String, Value>,
    path: String,
    /// Problems found so far (shared by all readers of one document).
    pub(crate) problems: &'a mut Vec<Problem>,
}

/// The path of `key` below `path`.
pub(crate) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A JSON value's kind in words, for messages.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

impl<'a> Fields<'a> {
    /// Starts reading `value` at `path`; a value that is not a mapping is a problem (and `None`).
    pub(crate) fn open(
        value: &'a Value,
        path: &str,
        problems: &'a mut Vec<Problem>,
    ) -> Option<Self> {
        match value {
            Value::Object(obj) => Some(Self {
                obj,
                path: path.to_string(),
                problems,
            }),
            other => {
                problems.push(Problem::new(
                    path,
                    format!("expected a mapping of keys, got {}", kind_of(other)),
                ));
                None
            }
        }
    }

    /// Reports every key not in `allowed`, naming the keys that are.
    pub(crate) fn deny_unknown(&mut self, allowed: &[&str]) {
        for key in self.obj.keys() {
            if !allowed.contains(&key.as_str()) {
                let message = format!(
                    "unknown key {key:?}; the keys here are: {}",
                    allowed.join(", ")
                );
                self.problems
                    .push(Problem::new(child(&self.path, key), message));
            }
        }
    }

    /// The path of `key` in this mapping.
    pub(crate) fn path_of(&self, key: &str) -> String {
        child(&self.path, key)
    }

    /// Records a problem at `key`.
    pub(crate) fn problem(&mut self, key: &str, message: impl Into<String>) {
        let path = self.path_of(key);
        self.problems.push(Problem::new(path, message));
    }

    /// The raw value of `key`, treating `null` as absent.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    fn wrong(&mut self, key: &str, expected: &str, got: &Value) {
        self.problem(key, format!("expected {expected}, got {}", kind_of(got)));
    }

    /// An optional string.
    pub(crate) fn opt_str(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong(key, "text", other);
                None
            }
        }
    }

    /// A required string (a problem if absent).
    pub(crate) fn req_str(&mut self, key: &str, hint: &str) -> String {
        match self.get(key) {
            None => {
                self.problem(key, format!("missing; {hint}"));
                String::new()
            }
            Some(_) => self.opt_str(key).unwrap_or_default(),
        }
    }

    /// An optional boolean.
    pub(crate) fn opt_bool(&mut self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong(key, "true or false", other);
                None
            }
        }
    }

    /// An optional whole number.
    pub(crate) fn opt_int(&mut self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            Value::Number(n) => {
                self.problem(key, format!("expected a whole number, got {n}"));
                None
            }
            other => {
                self.wrong(key, "a whole number", other);
                None
            }
        }
    }

    /// An optional number, integer or float, keeping its type.
    pub(crate) fn opt_number(&mut self, key: &str) -> Option<Number> {
        match self.get(key)? {
            Value::Number(n) => Some(n.clone()),
            other => {
                self.wrong(key, "a number", other);
                None
            }
        }
    }

    /// A required number.
    pub(crate) fn req_number(&mut self, key: &str, hint: &str) -> Number {
        if self.get(key).is_none() {
            self.problem(key, format!("missing; {hint}"));
            return Number::from(0);
        }
        self.opt_number(key).unwrap_or_else(|| Number::from(0))
    }

    /// An optional value parsed from text by `parse`; `choices` names the accepted words.
    pub(crate) fn opt_enum<T>(
        &mut self,
        key: &str,
        choices: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = self.opt_str(key)?;
        let parsed = parse(&text);
        if parsed.is_none() {
            self.problem(key, format!("{text:?} is not one of {choices}"));
        }
        parsed
    }

    /// A required value parsed from text by `parse`.
    pub(crate) fn req_enum<T>(
        &mut self,
        key: &str,
        choices: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        if self.get(key).is_none() {
            self.problem(key, format!("missing; use one of {choices}"));
            return None;
        }
        self.opt_enum(key, choices, parse)
    }
}
