// Quick fixes are plain edits: applying one to the text must give exactly the
// fixed Dockerfile, and the fixed Dockerfile must not trigger the rule again.

import * as assert from 'node:assert/strict';
import { applyEdits, findings } from './helpers';

const FIXES: Array<{ rule: string; before: string; after: string }> = [
  { rule: 'syntax-empty-continuation', before: 'FROM a:1\nRUN a \\\n\n  b\n', after: 'FROM a:1\nRUN a \\\n  b\n' },
  { rule: 'json-form-invalid', before: "FROM a:1\nCMD ['run', 'x']\n", after: 'FROM a:1\nCMD ["run", "x"]\n' },
  { rule: 'from-undeclared-arg', before: 'FROM debian:${TAG}\n', after: 'ARG TAG\nFROM debian:${TAG}\n' },
  { rule: 'undefined-var', before: 'ARG V=1\nFROM a:1\nLABEL v=$V\n', after: 'ARG V=1\nFROM a:1\nARG V\nLABEL v=$V\n' },
  { rule: 'apt-install-yes', before: 'FROM a:1\nRUN apt-get install curl\n', after: 'FROM a:1\nRUN apt-get install -y curl\n' },
  { rule: 'apt-no-install-recommends', before: 'FROM a:1\nRUN apt-get install -y curl\n', after: 'FROM a:1\nRUN apt-get install --no-install-recommends -y curl\n' },
  {
    rule: 'apt-lists-not-cleaned',
    before: 'FROM a:1\nRUN apt-get update \\\n && apt-get install -y x\nCMD ["x"]\n',
    after: 'FROM a:1\nRUN apt-get update \\\n && apt-get install -y x \\\n    && rm -rf /var/lib/apt/lists/*\nCMD ["x"]\n',
  },
  { rule: 'apt-not-apt-get', before: 'FROM a:1\nRUN apt install -y x\n', after: 'FROM a:1\nRUN apt-get install -y x\n' },
  { rule: 'apk-no-cache', before: 'FROM a:1\nRUN apk add curl\n', after: 'FROM a:1\nRUN apk add --no-cache curl\n' },
  { rule: 'run-sudo', before: 'FROM a:1\nRUN sudo make install\n', after: 'FROM a:1\nRUN make install\n' },
  { rule: 'pipefail', before: 'FROM a:1\nRUN curl -fsSL x | sh\n', after: 'FROM a:1\nRUN set -o pipefail && curl -fsSL x | sh\n' },
  { rule: 'add-instead-of-copy', before: 'FROM a:1\nADD app.py /app/\n', after: 'FROM a:1\nCOPY app.py /app/\n' },
  { rule: 'copy-multi-source-dest', before: 'FROM a:1\nCOPY a b /dest\n', after: 'FROM a:1\nCOPY a b /dest/\n' },
  { rule: 'copy-quoted-space', before: 'FROM a:1\nCOPY --chown=1:1 "my file.txt" b \\\n  /app/\n', after: 'FROM a:1\nCOPY --chown=1:1 ["my file.txt", "b", "/app/"]\n' },
  { rule: 'cmd-shell-form', before: 'FROM a:1\nCMD node server.js\n', after: 'FROM a:1\nCMD ["node", "server.js"]\n' },
  { rule: 'overridden-instruction', before: 'FROM a:1\nCMD ["a"]\nCMD ["b"]\n', after: 'FROM a:1\nCMD ["b"]\n' },
  { rule: 'maintainer-deprecated', before: 'FROM a:1\nMAINTAINER Me <me@x.org>\n', after: 'FROM a:1\nLABEL org.opencontainers.image.authors="Me <me@x.org>"\n' },
  { rule: 'expose-host-mapping', before: 'FROM a:1\nEXPOSE 8080:80/tcp\n', after: 'FROM a:1\nEXPOSE 80/tcp\n' },
];

describe('dockerfile quick fixes', () => {
  for (const f of FIXES)
    it(`${f.rule}: ${JSON.stringify(f.before)}`, () => {
      const found = findings(f.before, f.rule);
      assert.ok(found.length && found[0].fixes.length, 'a fix is offered');
      const after = applyEdits(f.before, found[0].fixes[0].edits);
      assert.equal(after, f.after);
      assert.deepEqual(findings(after, f.rule).map((d) => d.message), []);
    });

  it('shell-form CMD that needs a shell gets no mechanical JSON fix', () => {
    const [d] = findings('FROM a:1\nCMD node $APP | tee log\n', 'cmd-shell-form');
    assert.deepEqual(d.fixes, []);
  });
});
