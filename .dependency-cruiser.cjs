// The shape of the code (docs/architecture.md), checked in the test suite
// (test/architecture/dependency-rules.test.ts) so it cannot drift back.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-folder-cycles",
      severity: "error",
      comment: "No import cycle between the folders of src/ (a folder and its own subfolders aside).",
      scope: "folder",
      from: { path: "^(src/[^/]+)" },
      to: { circular: true, pathNot: "^$1(/|$)" },
    },
    {
      name: "no-module-cycles",
      severity: "error",
      comment: "No import cycle between modules.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "money-is-a-leaf",
      severity: "error",
      comment: "money/ is pure arithmetic: it imports nothing else of ours.",
      from: { path: "^src/money/" },
      to: { path: "^src/", pathNot: "^src/money/" },
    },
    {
      name: "db-imports-nothing-above",
      severity: "error",
      comment: "db/ is storage plumbing: it may use errors/ for logging, nothing above it.",
      from: { path: "^src/db/" },
      to: { path: "^src/", pathNot: "^src/(db|errors)/" },
    },
    {
      name: "ledger-imports-nothing-above",
      severity: "error",
      comment: "ledger/ owns entries and balances; billing calls it, never the other way round.",
      from: { path: "^src/ledger/" },
      to: { path: "^src/", pathNot: "^src/(ledger|db|errors|ids|money)/" },
    },
    {
      name: "payments-is-a-port-and-adapters",
      severity: "error",
      comment: "payments/ only translates providers: it imports no domain (billing, accounts, notifications, http).",
      from: { path: "^src/payments/" },
      to: { path: "^src/", pathNot: "^src/(payments|db|errors|ids|money|config)/" },
    },
    {
      name: "web-imports-shared-pure-modules-only",
      severity: "error",
      comment: "The dashboard runs in the browser: of the server's code it may use only these pure modules.",
      from: { path: "^web/" },
      to: {
        path: "^src/",
        pathNot: "^src/(money/(micros|rating|parse)|payments/card-(number|label)|payments/sandbox/test-cards)\\.ts$",
      },
    },
    {
      name: "sdk-stands-alone",
      severity: "error",
      comment: "sdk/ is published on its own: it imports nothing of the service or the dashboard.",
      from: { path: "^sdk/" },
      to: { path: "^(src|web|test|scripts|examples)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/|^web/dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs"] },
  },
};
