// Material's own search worker, run in Node on a built site: what a resident's query finds.
//   node search_worker.cjs <site dir> < queries.json   →   one JSON line per query
// The worker is the built site's assets/javascripts/workers/search.*.js, given what a browser's
// worker scope gives it (self, importScripts, postMessage). Each answer lists the first results
// with, for each, its location and the query terms it holds (Material's "terms": false is what
// the page shows struck through as 缺少). tests/web/test_search_terms.py uses it to check every
// page name of both samples against the real worker, not only our Python copy of its steps.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const site = process.argv[2];
const js = path.join(site, 'assets', 'javascripts');
const workers = path.join(js, 'workers');
const worker = fs.readdirSync(workers).find((name) => /^search\..*\.js$/.test(name));
const scope = { console, setTimeout, clearTimeout, Uint16Array, TextEncoder, TextDecoder };
scope.self = scope;
const answers = [];
let onMessage = null;
scope.postMessage = (message) => answers.push(message);
scope.addEventListener = (type, handler) => { if (type === 'message') onMessage = handler; };
scope.importScripts = (...urls) => {
  for (const url of urls) vm.runInContext(fs.readFileSync(path.resolve(workers, url), 'utf8'), scope);
};
vm.createContext(scope);
vm.runInContext(fs.readFileSync(path.join(workers, worker), 'utf8'), scope);

const index = JSON.parse(fs.readFileSync(path.join(site, 'search', 'search_index.json'), 'utf8'));
const queries = JSON.parse(fs.readFileSync(0, 'utf8'));

(async () => {
  await onMessage({ data: { type: 0, data: { config: index.config, docs: index.docs, options: {} } } });
  for (const query of queries) {
    answers.length = 0;
    await onMessage({ data: { type: 2, data: query } });
    const groups = answers[0].data.items.slice(0, 2);
    const first = groups.map((group) => group.map((item) => ({ location: item.location, terms: item.terms })));
    process.stdout.write(JSON.stringify({ query, first }) + '\n');
  }
})();
