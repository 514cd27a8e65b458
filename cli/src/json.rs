//! The one-object JSON report of `solve --json` and `train --json`.
//!
//! It is the library's serialization of the [`Report`] (the same fields as
//! `--report FILE`, so the names and the float format are the library's),
//! reshaped for one line on stdout: without `x` (which `--report` writes),
//! with the counts (`evals`, `hvps`, `hessians`, `cg_iterations`) at the top
//! level, and the wall-clock time as `elapsed_s` in seconds. Each command
//! adds its own fields (the problem or the data, the options it ran with).
//! Keys come in alphabetical order.

use serde_json::{Map, Value};

use steihaug::Report;

/// The report's fields, reshaped as the module doc says.
pub fn report_fields(report: &Report) -> steihaug::Result<Map<String, Value>> {
    let json = |e: serde_json::Error| steihaug::Error::InvalidInput(format!("report: {e}"));
    let Value::Object(mut fields) = serde_json::to_value(report).map_err(json)? else {
        return Err(steihaug::Error::InvalidInput(
            "report: not a JSON object".into(),
        ));
    };
    fields.remove("x");
    if let Some(Value::Object(counts)) = fields.remove("counts") {
        fields.extend(counts);
    }
    fields.remove("elapsed");
    fields.insert("elapsed_s".into(), report.elapsed.as_secs_f64().into());
    fields.insert("converged".into(), report.status.is_converged().into());
    Ok(fields)
}

/// Prints `fields` as one line on stdout.
pub fn print(fields: Map<String, Value>) {
    crate::output::line(&Value::Object(fields).to_string());
}

/// `value` as JSON (`null` for what does not serialize, which no type
/// used here does).
pub fn value(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}
