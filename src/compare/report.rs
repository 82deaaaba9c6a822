//! How a comparison reads: on the console, as a readable report (`--report`, Markdown or HTML for
//! `*.html`) with every difference side by side, scenario by scenario, and as JUnit (`--junit`:
//! one test case per scenario, a failure where the sides differ, skipped where a side left it
//! out). Secrets masked.

use std::fmt::Write as _;
use std::path::Path;

use super::diff::ScenarioComparison;
use crate::error::{HarnessError, Result};
use crate::report::readable::escape;

/// What the two sides were, in words.
#[derive(Debug, Clone)]
pub struct Sides {
    /// Side A (`the embedded target at … (NocoBase 2.2.15)`).
    pub a: String,
    /// Side B.
    pub b: String,
}

/// The count in words: `N scenarios compared: X agree, Y differ.`, and those a side left out.
fn count(compared: &[ScenarioComparison]) -> String {
    let left_out = compared.iter().filter(|c| c.left_out).count();
    let differ = compared.iter().filter(|c| !c.differing.is_empty()).count();
    let both = compared.len() - left_out;
    let mut text = format!("{both} scenarios compared: {} agree, {differ} differ.", both - differ);
    if left_out > 0 {
        text.push_str(&format!(" {left_out} left out on a side, not compared."));
    }
    text
}

/// The console's lines: the count, each differing scenario with its differences, then those a
/// side left out, with why.
pub fn console(sides: &Sides, compared: &[ScenarioComparison]) -> Vec<String> {
    let differ: Vec<&ScenarioComparison> = compared.iter().filter(|c| !c.differing.is_empty()).collect();
    let mut out = vec![format!("A: {}", sides.a), format!("B: {}", sides.b), count(compared)];
    for c in compared.iter().filter(|c| c.left_out) {
        out.push(format!("– {} ({}:{}): not compared", c.scenario, c.file, c.line));
        out.push(format!("      A: {}", c.results.0));
        out.push(format!("      B: {}", c.results.1));
    }
    for c in differ {
        out.push(format!("✘ {} ({}:{})", c.scenario, c.file, c.line));
        for differing in &c.differing {
            for d in &differing.differences {
                out.push(format!("    {} {}", differing.what, d.path));
                out.push(format!("      A: {}", d.expected));
                out.push(format!("      B: {}", d.actual));
            }
        }
    }
    out
}

/// The report in Markdown.
pub fn markdown(sides: &Sides, compared: &[ScenarioComparison]) -> String {
    let mut out = String::from("# NocoBase \"Using API Keys\" tutorial — comparison of two targets\n\n");
    let _ = writeln!(out, "- **A**: {}\n- **B**: {}\n", sides.a, sides.b);
    let _ = writeln!(out, "{}\n", count(compared));
    let mut feature = "";
    for c in compared {
        if c.feature != feature {
            feature = &c.feature;
            let _ = writeln!(out, "## {feature}\n");
        }
        if c.left_out {
            let _ = writeln!(out, "- – {} — not compared: A {}; B {}", c.scenario, c.results.0, c.results.1);
            continue;
        }
        if c.differing.is_empty() {
            let _ = writeln!(out, "- ✔ {} — both {}", c.scenario, c.results.0);
            continue;
        }
        let _ = writeln!(out, "\n### ✘ {} (`{}:{}`)\n", c.scenario, c.file, c.line);
        let _ = writeln!(out, "| | where | A | B |\n|---|---|---|---|");
        for differing in &c.differing {
            for d in &differing.differences {
                let cell = |t: &str| format!("`{}`", t.replace('|', "\\|").replace('`', "'"));
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} | {} |",
                    differing.what,
                    d.path,
                    cell(&d.expected),
                    cell(&d.actual)
                );
            }
        }
        out.push('\n');
    }
    crate::secret::scrub(&out)
}

/// The report in HTML.
pub fn html(sides: &Sides, compared: &[ScenarioComparison]) -> String {
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>NocoBase API keys — comparison</title>\
         <style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}\
         .pass{color:#1a7f37}.fail{color:#cf222e}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top}\
         code{white-space:pre-wrap}</style></head><body>",
    );
    let _ = write!(
        out,
        "<h1>NocoBase \"Using API Keys\" tutorial — comparison of two targets</h1><p><b>A</b>: {}<br><b>B</b>: {}</p><p>{}</p>",
        escape(&sides.a),
        escape(&sides.b),
        escape(&count(compared))
    );
    let mut feature = "";
    for c in compared {
        if c.feature != feature {
            feature = &c.feature;
            let _ = write!(out, "<h2>{}</h2>", escape(feature));
        }
        if c.left_out {
            let _ = write!(
                out,
                "<p>– {} — not compared: A {}; B {}</p>",
                escape(&c.scenario),
                escape(&c.results.0),
                escape(&c.results.1)
            );
            continue;
        }
        if c.differing.is_empty() {
            let _ = write!(out, "<p class=\"pass\">✔ {} — both {}</p>", escape(&c.scenario), escape(&c.results.0));
            continue;
        }
        let _ = write!(
            out,
            "<h3 class=\"fail\">✘ {} <small>({}:{})</small></h3><table><tr><th></th><th>where</th><th>A</th><th>B</th></tr>",
            escape(&c.scenario),
            escape(&c.file),
            c.line
        );
        for differing in &c.differing {
            for d in &differing.differences {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                    escape(&differing.what),
                    escape(&d.path),
                    escape(&d.expected),
                    escape(&d.actual)
                );
            }
        }
        out.push_str("</table>");
    }
    out.push_str("</body></html>\n");
    crate::secret::scrub(&out)
}

/// The JUnit XML: one test case per scenario, a failure listing its differences.
pub fn junit(sides: &Sides, compared: &[ScenarioComparison]) -> String {
    let differ = compared.iter().filter(|c| !c.differing.is_empty()).count();
    let skipped = compared.iter().filter(|c| c.left_out).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites>\n");
    let _ = writeln!(
        out,
        r#"  <testsuite id="0" name="{}" tests="{}" skipped="{skipped}" errors="0" failures="{differ}">"#,
        escape(&format!("Comparison: A {} / B {}", sides.a, sides.b)),
        compared.len()
    );
    for c in compared {
        let name = format!("Scenario: {}: {}:{}", c.scenario, c.file, c.line);
        let _ = write!(out, r#"    <testcase name="{}" classname="{}">"#, escape(&name), escape(&c.feature));
        if c.left_out {
            let why = format!("not compared: A {}; B {}", c.results.0, c.results.1);
            let _ = write!(out, r#"<skipped message="{}"/>"#, escape(&why));
        }
        if !c.differing.is_empty() {
            let lines: Vec<String> = c
                .differing
                .iter()
                .flat_map(|d| {
                    d.differences
                        .iter()
                        .map(move |x| format!("{} {}: A {} | B {}", d.what, x.path, x.expected, x.actual))
                })
                .collect();
            let _ = write!(
                out,
                r#"<failure type="difference" message="{}">{}</failure>"#,
                escape(&format!("{} difference(s) between A and B", lines.len())),
                escape(&lines.join("\n"))
            );
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    crate::secret::scrub(&out)
}

/// Writes `text` to `path`, its folder made if missing.
pub fn write(path: &Path, text: &str) -> Result<()> {
    let failed = |e: std::io::Error| HarnessError::File { path: path.display().to_string(), reason: e.to_string() };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(failed)?;
    }
    std::fs::write(path, text).map_err(failed)
}
