//! The machine-readable report, version 1 (the README's *JSON report*). Built explicitly here, not
//! from the model's serde derives, so the schema stays stable whatever the model looks like.
//! Every string value passes through [`redact`].

use super::{severity_word, Report, SideView};
use crate::model::{
    DeepOutcome, DeepProgram, DeepRun, DeepStep, EnvValue, Finding, Fix, FixAction, Location,
    Origin, SideKind, SideValue,
};
use crate::redact::redact;
use serde_json::{json, Map, Value};
use std::path::Path;

/// Version of the JSON report format.
pub const JSON_VERSION: u32 = 1;

/// The JSON report, pretty-printed, with a trailing newline.
pub fn render_json(report: &Report) -> String {
    let value = report_value(report);
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

/// The JSON report as a value.
pub fn report_value(report: &Report) -> Value {
    let mut value = json!({
        "version": JSON_VERSION,
        "sides": {
            "editor": report.editor.as_ref().map(side_value).unwrap_or(Value::Null),
            "shell": report.shell.side().map(side_value).unwrap_or(Value::Null),
            "editors": report
                .editors()
                .map(|s| (redact(&s.label), side_value(s)))
                .collect::<Map<String, Value>>(),
        },
        "findings": report.findings.iter().map(finding_value).collect::<Vec<_>>(),
    });
    // Only when SDKs were found: a report without any keeps exactly its earlier shape.
    if !report.sdks.is_empty() {
        if let Value::Object(m) = &mut value {
            m.insert(
                "sdks".into(),
                report.sdks.iter().map(sdk_value).collect::<Vec<_>>().into(),
            );
        }
    }
    // `check --deep` only: a report without it keeps exactly its earlier shape.
    if !report.deep.is_empty() {
        if let Value::Object(m) = &mut value {
            m.insert(
                "deep".into(),
                report
                    .deep
                    .iter()
                    .map(deep_value)
                    .collect::<Vec<_>>()
                    .into(),
            );
        }
    }
    value
}

/// `{ "path", "version", "installedBy"?, "usedBy": [labels], "satisfiesWorkspace" }`.
fn sdk_value(sdk: &super::SdkView) -> Value {
    let mut m = Map::new();
    m.insert("path".into(), Value::String(path_str(&sdk.path)));
    m.insert(
        "version".into(),
        sdk.version
            .as_deref()
            .map_or(Value::Null, |v| redact(v).into()),
    );
    if let Some(by) = &sdk.installed_by {
        m.insert("installedBy".into(), Value::String(by.clone()));
    }
    m.insert(
        "usedBy".into(),
        sdk.used_by
            .iter()
            .map(|l| redact(l))
            .collect::<Vec<_>>()
            .into(),
    );
    m.insert("satisfiesWorkspace".into(), Value::Bool(sdk.satisfies));
    Value::Object(m)
}

/// `{ "side", "label", "program", "go", "status": "ok"|"failed"|"not-run", "millis"?,
/// "notExecuted"?, "step"?, "exitCode"?, "timedOut"?, "output"?, "reason"? }`.
fn deep_value(run: &DeepRun) -> Value {
    let mut m = Map::new();
    let side = match run.side {
        SideKind::Editor => "editor",
        SideKind::Shell => "shell",
    };
    m.insert("side".into(), side.into());
    m.insert("label".into(), Value::String(redact(&run.label)));
    let program = match run.program {
        DeepProgram::Plain => "plain",
        DeepProgram::Cgo => "cgo",
    };
    m.insert("program".into(), program.into());
    m.insert(
        "go".into(),
        run.go
            .as_deref()
            .map(|p| Value::String(path_str(p)))
            .unwrap_or(Value::Null),
    );
    match &run.outcome {
        DeepOutcome::Ok {
            millis,
            not_executed,
        } => {
            m.insert("status".into(), "ok".into());
            m.insert("millis".into(), Value::from(*millis));
            if let Some(why) = not_executed {
                m.insert("notExecuted".into(), Value::String(redact(why)));
            }
        }
        DeepOutcome::Failed {
            step,
            exit_code,
            output,
            millis,
            timed_out,
        } => {
            m.insert("status".into(), "failed".into());
            let step = match step {
                DeepStep::Build => "build",
                DeepStep::Run => "run",
            };
            m.insert("step".into(), step.into());
            m.insert("exitCode".into(), (*exit_code).into());
            m.insert("timedOut".into(), (*timed_out).into());
            m.insert("millis".into(), Value::from(*millis));
            m.insert("output".into(), Value::String(redact(output)));
        }
        DeepOutcome::NotRun { reason } => {
            m.insert("status".into(), "not-run".into());
            m.insert("reason".into(), Value::String(redact(reason)));
        }
    }
    Value::Object(m)
}

fn path_str(p: &Path) -> String {
    redact(&p.to_string_lossy())
}

fn side_value(side: &SideView) -> Value {
    let mut env = Map::new();
    for (key, v) in &side.env {
        let mut value = env_value(v);
        // Where the shell's startup files set it (attribution).
        if let (Some((file, line)), Value::Object(m)) = (side.startup_lines.get(key), &mut value) {
            m.insert("startupFile".into(), Value::String(path_str(file)));
            m.insert("startupLine".into(), json!(line));
        }
        env.insert(key.clone(), value);
    }
    json!({
        "go": side.go.as_deref().map(path_str),
        "goVersion": side.go_version.as_deref().map(redact),
        "env": env,
    })
}

/// `{ "value", "origin", "path"?, "line"?, "key"? }`.
fn env_value(v: &EnvValue) -> Value {
    let mut m = Map::new();
    m.insert("value".into(), Value::String(redact(&v.value)));
    origin_fields(&mut m, &v.origin);
    Value::Object(m)
}

fn origin_fields(m: &mut Map<String, Value>, origin: &Origin) {
    let (name, path, line, key) = match origin {
        Origin::OsEnv => ("os-env", None, None, None),
        Origin::EnvFile { path, line } => ("env-file", Some(path), Some(*line), None),
        Origin::GorootGoEnv { path, line } => ("goroot-go.env", Some(path), Some(*line), None),
        Origin::EditorSetting { path, key, line } => {
            ("editor-setting", Some(path), Some(*line), Some(key))
        }
        // A setting only the language client answered: no file, so no path or line.
        Origin::ClientSetting { key } => ("client-setting", None, None, Some(key)),
        Origin::Default => ("default", None, None, None),
    };
    m.insert("origin".into(), Value::String(name.into()));
    if let Some(p) = path {
        m.insert("path".into(), Value::String(path_str(p)));
    }
    if let Some(l) = line {
        m.insert("line".into(), Value::from(l));
    }
    if let Some(k) = key {
        // A GoLand value is named as GoLand shows it (`GOROOT`, `Go Modules environment
        // GOPROXY`), never by the VS Code-style key the rules use internally; `setting` says
        // where to find it in the IDE.
        match path.filter(|p| crate::settings::idea::is_idea_file(p)) {
            Some(_) => {
                let name = crate::settings::idea::setting_name(k).unwrap_or_else(|| k.to_string());
                m.insert("key".into(), Value::String(redact(&name)));
                if let Some(words) = crate::settings::idea::setting_words(k) {
                    m.insert("setting".into(), Value::String(words));
                }
            }
            None => {
                m.insert("key".into(), Value::String(redact(&k.to_string())));
            }
        }
    }
}

fn finding_value(f: &Finding) -> Value {
    let mut v = json!({
        "code": f.code,
        "severity": severity_word(f.severity),
        "message": redact(&f.message),
        "subject": redact(&f.subject),
        "editor": f.editor.as_ref().map(side_value_of_finding).unwrap_or(Value::Null),
        "shell": f.shell.as_ref().map(side_value_of_finding).unwrap_or(Value::Null),
        "locations": f.locations.iter().map(location_value).collect::<Vec<_>>(),
        "fixes": f.fixes.iter().map(fix_value).collect::<Vec<_>>(),
    });
    // Only findings attribution explains carry `related` (where the cause was set).
    if !f.related.is_empty() {
        v["related"] = f
            .related
            .iter()
            .map(|r| {
                json!({
                    "path": redact(&r.path.display().to_string()),
                    "line": r.line,
                    "note": redact(&r.note),
                })
            })
            .collect::<Vec<_>>()
            .into();
    }
    v
}

/// `{ "value": string|null, "goVersion": string|null, "origin"?, "path"?, "line"?, "key"? }`.
fn side_value_of_finding(v: &SideValue) -> Value {
    let mut m = Map::new();
    m.insert(
        "value".into(),
        v.value
            .as_deref()
            .map(|s| Value::String(redact(s)))
            .unwrap_or(Value::Null),
    );
    m.insert(
        "goVersion".into(),
        v.go_version
            .as_deref()
            .map(|s| Value::String(redact(s)))
            .unwrap_or(Value::Null),
    );
    match &v.origin {
        Some(origin) => origin_fields(&mut m, origin),
        None => {
            m.insert("origin".into(), Value::Null);
        }
    }
    Value::Object(m)
}

fn location_value(l: &Location) -> Value {
    json!({ "path": path_str(&l.path), "line": l.line.max(1), "column": l.column.max(1) })
}

/// `{ "title", "kind", ... }` with the action's fields in camelCase.
pub(crate) fn fix_value(fix: &Fix) -> Value {
    let mut m = Map::new();
    m.insert("title".into(), Value::String(redact(&fix.title)));
    let s = |v: &str| Value::String(redact(v));
    let p = |v: &Path| Value::String(path_str(v));
    let fields: Vec<(&str, Value)> = match &fix.action {
        FixAction::SetSetting { file, key, value } => vec![
            ("kind", "set-setting".into()),
            ("file", p(file)),
            ("key", s(&key.to_string())),
            ("value", s(value)),
        ],
        FixAction::RemoveSetting { file, key } => vec![
            ("kind", "remove-setting".into()),
            ("file", p(file)),
            ("key", s(&key.to_string())),
        ],
        FixAction::GoEnvWrite { key, value } => vec![
            ("kind", "go-env-write".into()),
            ("key", s(key)),
            ("value", s(value)),
        ],
        FixAction::GoEnvUnset { key } => vec![("kind", "go-env-unset".into()), ("key", s(key))],
        FixAction::EnvFileRemoveLine { file, key, line } => vec![
            ("kind", "env-file-remove-line".into()),
            ("file", p(file)),
            ("key", s(key)),
            ("line", Value::from(*line)),
        ],
        FixAction::CreateDirectory { path } => {
            vec![("kind", "create-directory".into()), ("path", p(path))]
        }
        FixAction::CleanCache { gocache } => {
            vec![("kind", "clean-cache".into()), ("gocache", p(gocache))]
        }
        FixAction::InstallTool {
            side,
            tool,
            package,
            version,
            gobin,
            gotoolchain,
        } => vec![
            ("kind", "install-tool".into()),
            ("side", serde_json::to_value(side).unwrap_or(Value::Null)),
            ("tool", s(tool)),
            ("package", s(package)),
            ("version", s(version)),
            ("gobin", p(gobin)),
            ("gotoolchain", gotoolchain.as_deref().map_or(Value::Null, s)),
        ],
        FixAction::EditGoWork { file, edit } => vec![
            ("kind", "edit-go-work".into()),
            ("file", p(file)),
            ("edit", serde_json::to_value(edit).unwrap_or(Value::Null)),
        ],
        FixAction::EditorEnvironment {
            editor,
            vars,
            withheld,
            sdk,
        } => {
            let mut fields = vec![
                ("kind", "editor-environment".into()),
                ("editor", s(editor)),
                (
                    "vars",
                    Value::Object(
                        vars.iter()
                            .map(|(k, v)| (k.clone(), v.as_deref().map_or(Value::Null, s)))
                            .collect(),
                    ),
                ),
                ("withheld", json!(withheld)),
            ];
            // Only on an SDK switch: other fixes keep their earlier shape.
            if let Some(sdk) = sdk {
                fields.push(("sdk", s(sdk)));
            }
            fields
        }
    };
    for (k, v) in fields {
        m.insert(k.into(), v);
    }
    // `key` stays the payload the editing functions take; a GoLand file also says which
    // GoLand setting the fix changes, in GoLand's words.
    if let FixAction::SetSetting { file, key, .. } | FixAction::RemoveSetting { file, key } =
        &fix.action
    {
        if crate::settings::idea::is_idea_file(file) {
            if let Some(words) = crate::settings::idea::setting_words(key) {
                m.insert("setting".into(), Value::String(words));
            }
        }
    }
    Value::Object(m)
}
