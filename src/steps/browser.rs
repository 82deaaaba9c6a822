//! The To-Dos web page (the tutorial's last step): the "Todo List" page opened in headless
//! Chromium with a key, what it shows, and a key deleted before the page is opened. The page is
//! filled in and served by [`crate::browser`]; a screenshot goes next to `--report`.

use std::path::Path;

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::expect_status;
use crate::browser::{Installation, PageServer, RenderedPage, TodoPage};
use crate::client::Credential;
use crate::error::{HarnessError, Result};
use crate::mismatch::Mismatch;
use crate::world::Caller;
use crate::world::TutorialWorld;

fn page(world: &TutorialWorld) -> Result<RenderedPage> {
    world.page.clone().ok_or_else(|| {
        HarnessError::Scenario(
            "the To-Dos page was not opened (add \"When the To-Dos page is opened with the API key\")".into(),
        )
    })
}

/// Serves the page with the caller's key, opens it in the run's Chromium, waits until it shows the
/// to-dos or an error, and stops the page server; the screenshot is saved next to the report, if any.
async fn open_page(world: &TutorialWorld, caller: &Caller) -> Result<RenderedPage> {
    let installation = Installation::at(&world.suite.config.chromium, &world.suite.config.chromedriver)
        .map_err(|u| HarnessError::Environment(u.to_string()))?;
    let Credential::Bearer(key) = world.credential(caller)? else {
        return Err(HarnessError::Scenario("the page sends `Authorization: Bearer <key>`: open it with a key".into()));
    };
    let collection = world.tagged("todos");
    let fetched = world.client().url(&format!("{collection}:list"))?;
    let page = TodoPage::fill(world.client().base(), &collection, &key)?;
    let timeout = world.suite.config.timeout;

    let server = PageServer::start(page).await?;
    let (rendered, screenshot) = match world.suite.browser.get(&installation, timeout).await {
        Ok(mut browser) => match browser.as_mut() {
            Some(browser) => {
                let rendered = browser.open(server.url(), timeout, fetched.as_str()).await;
                (rendered, browser.screenshot().await)
            }
            None => (
                Err(HarnessError::Environment("the run's browser has quit".into())),
                Err(HarnessError::Environment("no browser".into())),
            ),
        },
        Err(error) => {
            server.stop().await;
            return Err(error);
        }
    };
    server.stop().await;

    if let (Some(report), Ok(png)) = (&world.suite.config.report, &screenshot) {
        save_screenshot(report, &world.snapshot_prefix, png)?;
    }
    rendered
}

/// Writes `<report folder>/<scenario snapshot name>.png`.
fn save_screenshot(report: &Path, name: &str, png: &[u8]) -> Result<()> {
    let dir = match report.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => Path::new(".").to_owned(),
    };
    let path = dir.join(format!("{name}.png"));
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, png))
        .map_err(|e| HarnessError::File { path: path.display().to_string(), reason: e.to_string() })
}

/// The JSON in the page's `<pre>`, or a mismatch saying what the page shows instead.
fn shown_json(page: &RenderedPage) -> Result<Value> {
    if !page.error.is_empty() {
        return Err(HarnessError::mismatch(Mismatch::new(
            "the To-Dos page",
            "the to-dos as JSON",
            format!("the error line \"{}\"", page.error),
            None,
        )));
    }
    serde_json::from_str(&page.result).map_err(|e| {
        HarnessError::mismatch(Mismatch::new(
            "the To-Dos page's <pre>",
            "JSON",
            format!("{e}: {}", crate::report::console::excerpt(&page.result, 120)),
            None,
        ))
    })
}

#[when(expr = "the To-Dos page is opened with {caller}")]
async fn page_opened(world: &mut TutorialWorld, caller: Caller) -> Result<()> {
    world
        .step(async |world| {
            let rendered = open_page(world, &caller).await?;
            world.page = Some(rendered);
            Ok(())
        })
        .await
}

/// Deletes a key of the scenario with its owner's session: the key is then blocked.
#[given(expr = "the API key {string} has been deleted")]
async fn key_deleted(world: &mut TutorialWorld, name: String) -> Result<()> {
    world
        .step(async |world| {
            let key = world
                .keys
                .get(&name)
                .ok_or_else(|| HarnessError::Scenario(format!("there is no API key \"{name}\" in this scenario")))?;
            let id = key
                .id
                .ok_or_else(|| HarnessError::Scenario(format!("the API key \"{name}\" has no id in apiKeys:list")))?;
            let owner = match key.owner.clone() {
                None => world.admin()?,
                Some(user) => world.user_session(&user)?,
            };
            let exchange = world.client().api_keys_destroy(&owner, id).await?;
            expect_status(&exchange, 200, "apiKeys:destroy")?;
            if let Some(key) = world.keys.get_mut(&name) {
                key.keep = true;
            }
            Ok(())
        })
        .await
}

#[then(expr = "the page is titled {string}")]
async fn page_titled(world: &mut TutorialWorld, title: String) -> Result<()> {
    world
        .step(async |world| {
            let page = page(world)?;
            if page.title != title || page.heading != title {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "the page's title and heading",
                    format!("{title} / {title}"),
                    format!("{} / {}", page.title, page.heading),
                    None,
                )));
            }
            Ok(())
        })
        .await
}

#[then(expr = "the page shows the to-dos {string}")]
async fn page_shows_todos(world: &mut TutorialWorld, titles: String) -> Result<()> {
    world
        .step(async |world| {
            let shown = shown_json(&page(world)?)?;
            let got: Vec<&str> = shown
                .pointer("/data")
                .and_then(Value::as_array)
                .map(|rows| {
                    rows.iter().map(|r| r.get("title").and_then(Value::as_str).unwrap_or("(no title)")).collect()
                })
                .unwrap_or_default();
            let want: Vec<&str> = titles.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
            if got != want {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "the to-dos on the page",
                    want.join(", "),
                    got.join(", "),
                    None,
                )));
            }
            Ok(())
        })
        .await
}

/// Makes the page's call directly and compares both answers, normalised.
#[then(expr = "the page shows what {caller} gets listing the to-dos directly")]
async fn page_shows_the_api_answer(world: &mut TutorialWorld, caller: Caller) -> Result<()> {
    world
        .step(async |world| {
            let shown = shown_json(&page(world)?)?;
            let credential = world.credential(&caller)?;
            let collection = world.tagged("todos");
            let exchange = world.client().records_list(&credential, &collection, "").await?;
            let direct = exchange.body.json().map(|body| world.normalizer.value(body)).unwrap_or(Value::Null);
            let shown = world.normalizer.value(&shown);
            if shown != direct {
                return Err(HarnessError::mismatch(Mismatch::json(
                    "the page's JSON (expected: the API's own answer)",
                    &direct,
                    &shown,
                    Some(&exchange),
                )));
            }
            world.observe(exchange).await
        })
        .await
}

#[then(expr = "the page shows the error {string}")]
async fn page_shows_error(world: &mut TutorialWorld, message: String) -> Result<()> {
    world
        .step(async |world| {
            let page = page(world)?;
            if page.error != message || !page.result.is_empty() {
                let actual = if page.error.is_empty() {
                    format!("no error line; the <pre> shows {}", crate::report::console::excerpt(&page.result, 120))
                } else {
                    page.error
                };
                return Err(HarnessError::mismatch(Mismatch::new("the page's error line", message, actual, None)));
            }
            Ok(())
        })
        .await
}

/// The snapshot holds the page's title, heading, error line and normalised JSON.
#[then(expr = "the page matches the snapshot {string}")]
async fn page_matches_snapshot(world: &mut TutorialWorld, label: String) -> Result<()> {
    world
        .step(async |world| {
            let page = page(world)?;
            let value = page_snapshot(world, &page);
            super::responses::check_snapshot(world, &label, &value)
        })
        .await
}

fn page_snapshot(world: &TutorialWorld, page: &RenderedPage) -> Value {
    let result = match page.result.as_str() {
        "" => Value::Null,
        text => match serde_json::from_str::<Value>(text) {
            Ok(json) => world.normalizer.value(&json),
            Err(_) => json!(world.normalizer.text(text)),
        },
    };
    let error = if page.error.is_empty() { Value::Null } else { json!(world.normalizer.text(&page.error)) };
    json!({"title": page.title, "heading": page.heading, "error": error, "result": result})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screenshot_goes_next_to_the_report_named_after_the_scenario() {
        // Arrange
        let dir = tempfile::tempdir().expect("temp dir");
        let report = dir.path().join("report").join("index.md");

        // Act
        save_screenshot(&report, "09_page__scenario", b"\x89PNG").expect("saved");

        // Assert
        let written = std::fs::read(dir.path().join("report").join("09_page__scenario.png")).expect("the screenshot");
        assert_eq!(written, b"\x89PNG");
    }

    #[test]
    fn an_error_line_is_not_taken_for_the_to_dos() {
        let page = RenderedPage {
            error: "401 Your session has expired. Please sign in again.".into(),
            ..RenderedPage::default()
        };
        let error = shown_json(&page).expect_err("no JSON on an error page").to_string();
        assert!(error.contains("the error line \"401 Your session has expired. Please sign in again.\""), "{error}");
    }

    #[test]
    fn the_page_s_snapshot_shows_the_same_normalised_list_as_the_api_s() {
        // The page prints what `todos:list` answers: its reviewed snapshot holds, as `result`,
        // exactly the body of step 7's reviewed snapshot of the same call.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
        let stored = |name: &str| crate::check::snapshot::stored(&dir, name).expect("readable").expect("reviewed");
        let page = stored(
            "10_show_the_todos_in_a_web_page__the_to_dos_page_shows_the_to_dos_fetched_with_the_api_key__todo_list_page",
        );
        let api = stored("07_use_the_api_key__listing_the_to_dos_gives_the_first_page__list");
        assert_eq!(page["result"], api["body"]);
        assert_eq!(page["error"], Value::Null);
    }

    #[test]
    fn the_pre_s_json_is_read_back() {
        let page = RenderedPage { result: "{\n  \"data\": []\n}".into(), ..RenderedPage::default() };
        assert_eq!(shown_json(&page).expect("JSON"), json!({"data": []}));
    }
}
