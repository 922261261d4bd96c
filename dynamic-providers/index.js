// The package that stackwire's stored providers load at run time: the compiled provider code.
// `npm ci` builds it (the project's prepare script); `npm run build` rebuilds it.
"use strict";
const path = require("node:path");
const compiled = path.join(__dirname, "..", "bin", "dynamic-providers", "engine.js");
try {
    module.exports = require(compiled);
} catch (err) {
    if (err && err.code === "MODULE_NOT_FOUND" && String(err.message).includes(compiled)) {
        throw new Error(`stackwire's provider code is not built (${compiled} is missing): run \`npm run build\` in ${path.join(__dirname, "..")}`);
    }
    throw err;
}
