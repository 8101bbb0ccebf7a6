//! Mongo-like filter expressions over runs (`display_name`) and artifacts (`alias`, `tag`).
//!
//! An [`Expr`] is the meaning of a filter, independent of how W&B wraps it on the wire. It is
//! built from the lenient file form (bare values mean `$eq`, a mapping with several fields means
//! `$and`) or from the strict wire form, and [`Expr::simplify`] applies the SDK's normalisation.

use serde_json::{Map, Value};

/// Comparison operators accepted on a field, with what each expects as its value.
pub(crate) const FIELD_OPERATORS: [(&str, OperandKind); 13] = [
    ("$eq", OperandKind::ScalarOrList),
    ("$ne", OperandKind::ScalarOrList),
    ("$gt", OperandKind::Scalar),
    ("$gte", OperandKind::Scalar),
    ("$lt", OperandKind::Scalar),
    ("$lte", OperandKind::Scalar),
    ("$in", OperandKind::List),
    ("$nin", OperandKind::List),
    ("$regex", OperandKind::Text),
    ("$contains", OperandKind::Text),
    ("$exists", OperandKind::Bool),
    ("$not", OperandKind::Condition),
    ("$size", OperandKind::Integer),
];

/// The kind of value a field operator takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OperandKind {
    /// A string, number or boolean.
    Scalar,
    /// A scalar or a list of scalars.
    ScalarOrList,
    /// A list of scalars.
    List,
    /// A string (a regular expression or a substring).
    Text,
    /// `true` or `false`.
    Bool,
    /// A non-negative whole number.
    Integer,
    /// A nested operator mapping such as `{$regex: "^tmp"}`.
    Condition,
}

/// One filter expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// All of the sub-expressions hold.
    And(Vec<Expr>),
    /// At least one sub-expression holds.
    Or(Vec<Expr>),
    /// None of the sub-expressions holds.
    Nor(Vec<Expr>),
    /// The sub-expression does not hold (kept as written, never pushed inward).
    Not(Box<Expr>),
    /// A condition on one field: `{field: {op: value, ...}}`, operators in their written order.
    Field {
        /// The field name, e.g. `display_name`, `alias`, `tag`.
        field: String,
        /// The operators and their operands.
        ops: Vec<(String, Value)>,
    },
}

/// Why a JSON value is not a filter expression, with the path inside the expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExprError {
    /// Path below the expression's root, e.g. `$and[1].alias`; empty for the root.
    pub(crate) path: String,
    /// What is wrong, in plain words.
    pub(crate) message: String,
}

impl ExprError {
    fn new(path: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_string(),
            message: message.into(),
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Expr {
    /// A single-operator field condition.
    pub fn field(field: &str, op: &str, value: Value) -> Self {
        Expr::Field {
            field: field.to_string(),
            ops: vec![(op.to_string(), value)],
        }
    }

    /// Parses the lenient file form: bare values mean `$eq` and a mapping with several keys
    /// means `$and` of one condition per key. Operators are checked against the known set.
    pub(crate) fn from_file(value: &Value) -> Result<Expr, ExprError> {
        parse(value, "", true)
    }

    /// Parses the wire form, accepting any `$operator` so that unknown ones survive a round trip.
    pub(crate) fn from_wire(value: &Value) -> Result<Expr, ExprError> {
        parse(value, "", false)
    }

    /// The canonical JSON form: `{field: {op: value}}` and `{"$and": [...]}`.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Expr::And(items) => list_json("$and", items),
            Expr::Or(items) => list_json("$or", items),
            Expr::Nor(items) => list_json("$nor", items),
            Expr::Not(inner) => single("$not", inner.to_json()),
            Expr::Field { field, ops } => {
                let ops: Map<String, Value> = ops.iter().cloned().collect();
                single(field, Value::Object(ops))
            }
        }
    }

    /// The SDK's simplification, minus its meaning-changing parts: an `$and` inside an `$and`
    /// and an `$or` inside an `$or` are flattened, and an `$and` or `$or` with one child becomes
    /// that child. `$nor` is never flattened or unwrapped and `$not` is kept as written.
    pub(crate) fn simplify(self) -> Expr {
        match self {
            Expr::And(items) => flatten(items, true),
            Expr::Or(items) => flatten(items, false),
            Expr::Nor(items) => Expr::Nor(items.into_iter().map(Expr::simplify).collect()),
            Expr::Not(inner) => Expr::Not(Box::new(inner.simplify())),
            field @ Expr::Field { .. } => field,
        }
    }

    /// Every field name the expression mentions, in order of appearance.
    pub(crate) fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    /// Every `$regex` pattern the expression holds (also inside `$not`).
    pub(crate) fn patterns(&self) -> Vec<&str> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
            match e {
                Expr::And(items) | Expr::Or(items) | Expr::Nor(items) => {
                    items.iter().for_each(|i| walk(i, out))
                }
                Expr::Not(inner) => walk(inner, out),
                Expr::Field { ops, .. } => {
                    for (op, v) in ops {
                        match (op.as_str(), v) {
                            ("$regex", Value::String(p)) => out.push(p),
                            ("$not", Value::Object(m)) => {
                                out.extend(m.get("$regex").and_then(Value::as_str))
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    fn collect_fields<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::And(items) | Expr::Or(items) | Expr::Nor(items) => {
                items.iter().for_each(|e| e.collect_fields(out))
            }
            Expr::Not(inner) => inner.collect_fields(out),
            Expr::Field { field, .. } => out.push(field),
        }
    }
}

/// Turns an optional top-level filter into the list that W&B wraps in `$and`, and back.
pub(crate) fn conjuncts(filter: Option<&Expr>) -> Vec<Expr> {
    match filter {
        None => Vec::new(),
        Some(Expr::And(items)) => items.clone(),
        Some(other) => vec![other.clone()],
    }
}

/// The inverse of [`conjuncts`]: no items is no filter, one item is itself, several are `$and`.
pub(crate) fn from_conjuncts(mut items: Vec<Expr>) -> Option<Expr> {
    match items.len() {
        0 => None,
        1 => items.pop(),
        _ => Some(Expr::And(items)),
    }
}

/// Simplifies a filter and maps an empty `$and` (match everything) to no filter.
pub fn normalize(filter: Option<Expr>) -> Option<Expr> {
    match filter.map(Expr::simplify) {
        Some(Expr::And(items)) if items.is_empty() => None,
        other => other,
    }
}

fn flatten(items: Vec<Expr>, is_and: bool) -> Expr {
    let mut out = Vec::with_capacity(items.len());
    for item in items.into_iter().map(Expr::simplify) {
        match (item, is_and) {
            (Expr::And(inner), true) | (Expr::Or(inner), false) => out.extend(inner),
            (other, _) => out.push(other),
        }
    }
    if out.len() == 1 {
        return out.pop().unwrap_or(Expr::And(Vec::new()));
    }
    if is_and {
        Expr::And(out)
    } else {
        Expr::Or(out)
    }
}

fn list_json(op: &str, items: &[Expr]) -> Value {
    single(op, Value::Array(items.iter().map(Expr::to_json).collect()))
}

fn single(key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.to_string(), value);
    Value::Object(map)
}

fn parse(value: &Value, path: &str, lenient: bool) -> Result<Expr, ExprError> {
    let Value::Object(map) = value else {
        return Err(ExprError::new(
            path,
            "a filter must be a mapping such as {alias: prod}",
        ));
    };
    if map.is_empty() {
        return Err(ExprError::new(
            path,
            "an empty mapping is not a filter; leave the filter out to match everything",
        ));
    }
    if map.len() > 1 {
        if !lenient {
            return Err(ExprError::new(
                path,
                "the wire form has one key per condition",
            ));
        }
        let items = map
            .iter()
            .map(|(k, v)| parse_entry(k, v, path, lenient))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Expr::And(items));
    }
    let (key, val) = map
        .iter()
        .next()
        .ok_or_else(|| ExprError::new(path, "empty filter"))?;
    parse_entry(key, val, path, lenient)
}

fn parse_entry(key: &str, val: &Value, path: &str, lenient: bool) -> Result<Expr, ExprError> {
    let here = join(path, key);
    match key {
        "$and" | "$or" | "$nor" => {
            let Value::Array(items) = val else {
                return Err(ExprError::new(
                    &here,
                    format!("{key} takes a list of conditions"),
                ));
            };
            let parsed = items
                .iter()
                .enumerate()
                .map(|(i, v)| parse(v, &format!("{here}[{i}]"), lenient))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(match key {
                "$and" => Expr::And(parsed),
                "$or" => Expr::Or(parsed),
                _ => Expr::Nor(parsed),
            })
        }
        "$not" => Ok(Expr::Not(Box::new(parse(val, &here, lenient)?))),
        op if op.starts_with('$') => Err(ExprError::new(
            &here,
            format!(
                "{op} is not a logical operator; put it under a field, e.g. {{alias: {{{op}: ...}}}}"
            ),
        )),
        field => parse_field(field, val, &here, lenient),
    }
}

fn parse_field(field: &str, val: &Value, path: &str, lenient: bool) -> Result<Expr, ExprError> {
    let ops = match val {
        Value::Object(m) if !m.is_empty() && m.keys().all(|k| k.starts_with('$')) => m
            .iter()
            .map(|(op, operand)| {
                check_operand(op, operand, &join(path, op), lenient)?;
                Ok((op.clone(), operand.clone()))
            })
            .collect::<Result<Vec<_>, ExprError>>()?,
        Value::Object(_) => {
            return Err(ExprError::new(
                path,
                "expected a value or operators such as {$regex: \"^prod\"}",
            ));
        }
        other if lenient => {
            check_operand("$eq", other, path, lenient)?;
            vec![("$eq".to_string(), other.clone())]
        }
        _ => {
            return Err(ExprError::new(
                path,
                "expected an operator mapping such as {\"$eq\": \"prod\"}",
            ));
        }
    };
    Ok(Expr::Field {
        field: field.to_string(),
        ops,
    })
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

fn check_operand(op: &str, operand: &Value, path: &str, lenient: bool) -> Result<(), ExprError> {
    let Some((_, kind)) = FIELD_OPERATORS.iter().find(|(name, _)| *name == op) else {
        if lenient {
            let known: Vec<&str> = FIELD_OPERATORS.iter().map(|(n, _)| *n).collect();
            return Err(ExprError::new(
                path,
                format!("unknown operator {op}; use one of {}", known.join(" ")),
            ));
        }
        return Ok(());
    };
    let list_of_scalars = |v: &Value| matches!(v, Value::Array(a) if a.iter().all(is_scalar));
    let ok = match kind {
        OperandKind::Scalar => is_scalar(operand),
        OperandKind::ScalarOrList => is_scalar(operand) || list_of_scalars(operand),
        OperandKind::List => list_of_scalars(operand),
        OperandKind::Text => operand.is_string(),
        OperandKind::Bool => operand.is_boolean(),
        OperandKind::Integer => operand.as_u64().is_some(),
        OperandKind::Condition => {
            return match operand {
                Value::Object(m) if !m.is_empty() => m.iter().try_for_each(|(inner, v)| {
                    check_operand(inner, v, &join(path, inner), lenient)
                }),
                _ => Err(ExprError::new(
                    path,
                    "$not takes an operator mapping such as {$regex: \"^tmp\"}",
                )),
            };
        }
    };
    if ok {
        Ok(())
    } else {
        let expected = match kind {
            OperandKind::Scalar => "a string, number or true/false",
            OperandKind::ScalarOrList => "a string, number, true/false or a list of them",
            OperandKind::List => "a list of strings or numbers",
            OperandKind::Text => "a string",
            OperandKind::Bool => "true or false",
            OperandKind::Integer => "a whole number",
            OperandKind::Condition => "an operator mapping",
        };
        Err(ExprError::new(path, format!("{op} takes {expected}")))
    }
}

/// Filters are stored (e.g. in wizard drafts) in their canonical JSON form.
impl serde::Serialize for Expr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Expr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Expr::from_wire(&value).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bare_value_means_eq_and_several_fields_mean_and() {
        let e = Expr::from_file(&json!({"alias": "prod", "tag": {"$in": ["a", "b"]}})).unwrap();
        assert_eq!(
            e,
            Expr::And(vec![
                Expr::field("alias", "$eq", json!("prod")),
                Expr::field("tag", "$in", json!(["a", "b"])),
            ])
        );
    }

    #[test]
    fn simplify_flattens_and_unwraps_but_keeps_nor_and_not() {
        let e = Expr::And(vec![
            Expr::And(vec![Expr::field("a", "$eq", json!(1))]),
            Expr::Or(vec![Expr::Or(vec![
                Expr::field("b", "$eq", json!(2)),
                Expr::field("c", "$eq", json!(3)),
            ])]),
            Expr::Nor(vec![Expr::field("d", "$eq", json!(4))]),
            Expr::Not(Box::new(Expr::And(vec![Expr::field("e", "$eq", json!(5))]))),
        ]);
        assert_eq!(
            e.simplify().to_json(),
            json!({"$and": [
                {"a": {"$eq": 1}},
                {"$or": [{"b": {"$eq": 2}}, {"c": {"$eq": 3}}]},
                {"$nor": [{"d": {"$eq": 4}}]},
                {"$not": {"e": {"$eq": 5}}}
            ]})
        );
    }

    #[test]
    fn unknown_operator_is_rejected_in_files_but_kept_from_the_wire() {
        let v = json!({"alias": {"$fuzzy": "x"}});
        let err = Expr::from_file(&v).unwrap_err();
        assert_eq!(err.path, "alias.$fuzzy");
        assert!(err.message.contains("unknown operator $fuzzy"));
        assert_eq!(Expr::from_wire(&v).unwrap().to_json(), v);
    }

    #[test]
    fn operand_types_are_checked() {
        let err = Expr::from_file(&json!({"display_name": {"$regex": 5}})).unwrap_err();
        assert_eq!(err.message, "$regex takes a string");
        let err = Expr::from_file(&json!({"$and": [{"tag": {"$in": "x"}}]})).unwrap_err();
        assert_eq!(err.path, "$and[0].tag.$in");
        assert!(Expr::from_file(&json!([1])).is_err());
        assert!(Expr::from_file(&json!({})).is_err());
    }

    #[test]
    fn normalize_maps_empty_and_to_none() {
        assert_eq!(normalize(Some(Expr::And(vec![]))), None);
        assert_eq!(normalize(Some(Expr::And(vec![Expr::And(vec![])]))), None);
    }
}
