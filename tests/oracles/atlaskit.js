// Golden outputs from Atlassian's own transformers (npm @atlaskit/*), one file per corpus sample:
//   markdown-adf/NAME.json   Markdown → ADF (editor-markdown-transformer)
//   markdown-wiki/NAME.wiki  Markdown → ADF → Jira wiki (editor-wikimarkup-transformer encode)
//   wiki-adf/NAME.json       Jira wiki → ADF (editor-wikimarkup-transformer parse)
// Usage: NODE_PATH=<scratch>/node_modules node atlaskit.js <corpus dir> <goldens dir>
'use strict';
const fs = require('fs');
const path = require('path');
const { MarkdownTransformer } = require('@atlaskit/editor-markdown-transformer');
const { WikiMarkupTransformer } = require('@atlaskit/editor-wikimarkup-transformer');
const { JSONTransformer } = require('@atlaskit/editor-json-transformer');
const { defaultSchema } = require('@atlaskit/adf-schema/schema-default');

const [corpus, out] = process.argv.slice(2);
const markdown = new MarkdownTransformer(defaultSchema);
const wiki = new WikiMarkupTransformer(defaultSchema);
const json = new JSONTransformer();

function each(kind, fn) {
  const dir = path.join(corpus, kind);
  for (const name of fs.readdirSync(dir).sort()) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    const stem = name.replace(/\.[^.]+$/, '');
    try {
      fn(stem, text);
    } catch (e) {
      process.stderr.write(`${kind}/${name}: ${e.message}\n`);
    }
  }
}

function write(dir, file, text) {
  fs.mkdirSync(path.join(out, dir), { recursive: true });
  fs.writeFileSync(path.join(out, dir, file), text.endsWith('\n') ? text : text + '\n');
}

each('markdown', (stem, text) => {
  const doc = markdown.parse(text);
  write('markdown-adf', `${stem}.json`, JSON.stringify(json.encode(doc), null, 1));
  write('markdown-wiki', `${stem}.wiki`, wiki.encode(doc));
});
each('wiki', (stem, text) => {
  write('wiki-adf', `${stem}.json`, JSON.stringify(json.encode(wiki.parse(text)), null, 1));
});
