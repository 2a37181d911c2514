//! Hover on GoLand's `.idea/workspace.xml` through a real stdio session: on the GOROOT `url`
//! (and the older `path=` form) and on a `VgoProject` environment entry, the server shows
//! GoLand's value beside the shell's, where each comes from and each side's Go, with the
//! attribute value's exact range. World: a login shell using Go 1.22.10 and a workspace.xml
//! pinning Go 1.21.13 (`$USER_HOME$/sdk/go1.21.13`).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use crate::support;

use crate::support::lsp;

use crate::support::goland;

use goland::World;
use lsp::{file_uri, Client};
use serde_json::{json, Value};
use std::path::Path;

const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"GOROOT\" url=\"file://$USER_HOME$/sdk/go1.21.13\" />\n  <component name=\"VgoProject\">\n    <environment>\n      <map>\n        <entry key=\"GOFLAGS\" value=\"-mod=mod\" />\n        <entry key=\"GOPROXY\" value=\"https://goproxy.corp.example,direct\" />\n      </map>\n    </environment>\n  </component>\n</project>\n";

/// A session on `world` (its workspace.xml replaced by `xml`) whose first check has
/// published `code` on workspace.xml.
fn session(world: &World, xml: &str, code: &str) -> Client {
    std::fs::write(world.workspace_xml(), xml).unwrap();
    let argv = vec![support::bin().display().to_string(), "serve".to_string()];
    let mut client = Client::spawn_in_world(&argv, world, json!({}));
    client.initialize_in_world(&world.folder, json!({}));
    client.wait_diagnostic(&world.workspace_xml(), code);
    client
}

fn hover(client: &mut Client, file: &Path, line: u32, character: u32) -> Value {
    client.request(
        "textDocument/hover",
        json!({
            "textDocument": {"uri": file_uri(file)},
            "position": {"line": line, "character": character}
        }),
    )
}

fn markdown(h: &Value) -> &str {
    assert_eq!(h["contents"]["kind"], "markdown", "{h:#}");
    h["contents"]["value"].as_str().unwrap()
}

#[test]
fn hover_on_goroot_url_and_environment_entry() {
    let world = World::new();
    let mut client = session(&world, XML, "goroot-mismatch");
    let xml = world.workspace_xml();

    // The url attribute (line 3): GoLand's GOROOT against the shell's.
    let h = hover(&mut client, &xml, 2, 40);
    let md = markdown(&h);
    assert!(
        md.starts_with("**GOROOT** — GOROOT (Settings → Go → GOROOT) in .idea/workspace.xml"),
        "{md}"
    );
    assert!(md.contains("| | GoLand | your shell"), "{md}");
    assert!(md.contains("go1.21.13") && md.contains("go1.22.10"), "{md}");
    assert!(
        md.contains("from GOROOT (Settings → Go → GOROOT) in .idea/workspace.xml"),
        "{md}"
    );
    assert!(md.contains("/home/sdk/go1.21.13`"), "{md}");
    // The range is the attribute value, without its quotes.
    assert_eq!(
        h["range"],
        json!({"start": {"line": 2, "character": 32}, "end": {"line": 2, "character": 64}})
    );

    // The GOPROXY environment entry (line 8).
    let h = hover(&mut client, &xml, 7, 30);
    let md = markdown(&h);
    assert!(
        md.starts_with(
            "**GOPROXY** — the GOPROXY environment entry of Go Modules in .idea/workspace.xml"
        ),
        "{md}"
    );
    assert!(md.contains("`https://goproxy.corp.example,direct`"), "{md}");
    assert!(md.contains("`https://proxy.golang.org,direct`"), "{md}");
    assert!(
        md.contains("from the GOPROXY environment entry of Go Modules in .idea/workspace.xml"),
        "{md}"
    );
    let line = XML.lines().nth(7).unwrap();
    let start = line.find("https://goproxy").unwrap() as u64;
    assert_eq!(h["range"]["start"], json!({"line": 7, "character": start}));

    // Lines without a Go setting have no hover.
    let h = hover(&mut client, &xml, 1, 3);
    assert!(h.is_null(), "{h:#}");
    client.shutdown();
}

#[test]
fn hover_on_the_older_path_form() {
    let world = World::new();
    let pinned = support::goroot("1.21.13").canonicalize().unwrap();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component path=\"{}\" name=\"GOROOT\" />\n</project>\n",
        pinned.display()
    );
    let mut client = session(&world, &xml, "goroot-mismatch");
    let h = hover(&mut client, &world.workspace_xml(), 2, 22);
    let md = markdown(&h);
    assert!(
        md.starts_with("**GOROOT** — GOROOT (Settings → Go → GOROOT)"),
        "{md}"
    );
    assert!(md.contains(&format!("`{}`", pinned.display())), "{md}");
    assert!(md.contains("go1.21.13") && md.contains("go1.22.10"), "{md}");
    assert_eq!(h["range"]["start"], json!({"line": 2, "character": 19}));
    client.shutdown();
}
