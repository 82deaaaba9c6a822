//! The command line as users meet it: `--help` (with the exit codes) pinned as golden files.

use super::support::run;

#[tokio::test]
async fn help_lists_the_flags_and_exit_codes() {
    let top = run(&["--help"]).await;
    let run_help = run(&["run", "--help"]).await;
    let serve_help = run(&["serve", "--help"]).await;
    assert_eq!((top.code, run_help.code, serve_help.code), (0, 0, 0));
    assert!(run_help.stdout.contains("1  the target did not conform"));
    insta::with_settings!({snapshot_path => super::support::project().join("tests/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("help", top.stdout);
        insta::assert_snapshot!("help_run", run_help.stdout);
        insta::assert_snapshot!("help_serve", serve_help.stdout);
    });
}
