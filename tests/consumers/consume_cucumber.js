// Feed one cucumber.json to two widely used Cucumber JSON consumers and print what they made of it.
// usage: node consume_cucumber.js <cucumber.json> <out dir>   → JSON summary on stdout, reports in <out dir>
'use strict';
const fs = require('fs');
const path = require('path');
const multiple = require('multiple-cucumber-html-reporter');
const single = require('cucumber-html-reporter');

const [jsonFile, outDir] = process.argv.slice(2);
const jsonDir = path.join(outDir, 'json');
fs.mkdirSync(jsonDir, { recursive: true });
fs.copyFileSync(jsonFile, path.join(jsonDir, 'cucumber.json'));

const multipleDir = path.join(outDir, 'multiple');
multiple.generate({ jsonDir, reportPath: multipleDir, saveCollectedJSON: true, disableLog: true,
                    pageTitle: 'ti24', reportName: 'ti24' });
const suite = JSON.parse(fs.readFileSync(path.join(multipleDir, 'enriched-output.json'), 'utf8'));

const singleHtml = path.join(outDir, 'single.html');
single.generate({ theme: 'bootstrap', jsonFile, output: singleHtml, launchReport: false,
                  ignoreBadJsonFile: false, reportSuiteAsScenarios: true, name: 'ti24' });

const count = (c) => ({ total: c.total, passed: c.passed, failed: c.failed, skipped: c.skipped,
                        pending: c.pending, notDefined: c.notDefined, ambiguous: c.ambiguous });
process.stdout.write(JSON.stringify({
  multiple: { features: count(suite.featureCount), scenarios: count(suite.scenarios),
              index: path.join(multipleDir, 'index.html') },
  single: { html: singleHtml, bytes: fs.statSync(singleHtml).size },
}));
