// Every rule: at least one Dockerfile where it fires and a close one where it
// must not. A meta-test keeps the table complete as rules are added.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../../src/dockerfile/catalog';
import { dockerignoreMatcher } from '../../../src/dockerfile/dockerignore';
import { findings } from './helpers';

interface Case {
  rule: string;
  /** Fires here, first finding starting at [line, character] (0-based) when given. */
  fires: string;
  at?: [number, number];
  /** Must not fire here. */
  quiet: string;
  /** .dockerignore content for both texts. */
  ignore?: string;
}

const CASES: Case[] = [
  { rule: 'syntax-unknown-instruction', fires: 'FROM a:1\nRUNN echo\n', at: [1, 0], quiet: 'FROM a:1\nrun echo\n' },
  { rule: 'syntax-unknown-instruction', fires: 'FROM a:1\nRUN a \\\n  && b\n  && c\n', at: [3, 2], quiet: 'FROM a:1\nRUN a \\\n  && b \\\n  && c\n' },
  { rule: 'syntax-missing-arguments', fires: 'FROM a:1\nWORKDIR\n', at: [1, 0], quiet: 'FROM a:1\nWORKDIR /app\n' },
  { rule: 'syntax-unterminated-heredoc', fires: 'FROM a:1\nRUN <<EOF\necho hi\n', at: [1, 4], quiet: 'FROM a:1\nRUN <<EOF\necho hi\nEOF\n' },
  { rule: 'syntax-unterminated-heredoc', fires: 'FROM a:1\nRUN <<-EOF\n\techo\n  EOF\n', quiet: 'FROM a:1\nRUN <<-EOF\n\techo\n\tEOF\n' },
  { rule: 'syntax-invalid-directive', fires: '# escape=x\nFROM a:1\n', at: [0, 0], quiet: '# escape=`\nFROM a:1\n' },
  { rule: 'syntax-no-instructions', fires: '# only a comment\n', at: [0, 0], quiet: '# a comment\nFROM a:1\n' },
  { rule: 'syntax-no-instructions', fires: '', quiet: 'FROM scratch' },
  { rule: 'instruction-before-from', fires: 'ENV A=1\nFROM a:1\n', at: [0, 0], quiet: 'ARG A=1\nFROM a:1\n' },
  { rule: 'syntax-from-invalid', fires: 'FROM a:1 b\n', at: [0, 9], quiet: 'FROM a:1 AS b\n' },
  { rule: 'syntax-empty-continuation', fires: 'FROM a:1\nRUN a \\\n\n  b\n', at: [2, 0], quiet: 'FROM a:1\nRUN a \\\n# comment\n  b\n' },
  { rule: 'json-form-invalid', fires: "FROM a:1\nCMD ['run', 'x']\n", at: [1, 4], quiet: 'FROM a:1\nCMD ["run", "x"]\n' },
  { rule: 'from-untagged', fires: 'FROM debian\n', at: [0, 5], quiet: 'FROM debian:12\n' },
  { rule: 'from-untagged', fires: 'ARG BASE=debian\nFROM ${BASE}\n', at: [1, 5], quiet: 'FROM debian:12 AS b\nFROM b\n' },
  { rule: 'from-untagged', fires: 'FROM localhost:5000/app\n', quiet: 'FROM localhost:5000/app@sha256:abc\n' },
  { rule: 'from-latest', fires: 'FROM debian:latest\n', at: [0, 5], quiet: 'FROM debian:12-slim\n' },
  { rule: 'from-undeclared-arg', fires: 'FROM debian:${TAG}\n', at: [0, 12], quiet: 'ARG TAG=12\nFROM debian:${TAG}\n' },
  { rule: 'from-undeclared-arg', fires: 'FROM --platform=$PLATFORM debian:12\n', quiet: 'FROM --platform=$BUILDPLATFORM debian:12\n' },
  { rule: 'from-empty-arg-default', fires: 'ARG IMAGE\nFROM ${IMAGE}\n', at: [1, 5], quiet: 'ARG IMAGE=debian:12\nFROM ${IMAGE}\n' },
  { rule: 'from-empty-arg-default', fires: 'ARG TAG=\nFROM debian:${TAG}\n', quiet: 'ARG TAG=\nFROM debian:${TAG:-12}\n' },
  { rule: 'stage-name-duplicate', fires: 'FROM a:1 AS build\nFROM b:1 AS Build\n', at: [1, 12], quiet: 'FROM a:1 AS build\nFROM b:1 AS build2\n' },
  { rule: 'stage-name-invalid', fires: 'FROM a:1 AS scratch\n', at: [0, 12], quiet: 'FROM a:1 AS scratchpad\n' },
  { rule: 'stage-name-invalid', fires: 'FROM a:1 AS 1st\n', quiet: 'FROM a:1 AS first.stage_1-x\n' },
  { rule: 'copy-from-undefined-stage', fires: 'FROM a:1\nCOPY --from=later /x /x\nFROM b:1 AS later\n', at: [1, 5], quiet: 'FROM b:1 AS later\nFROM a:1\nCOPY --from=later /x /x\n' },
  { rule: 'copy-from-undefined-stage', fires: 'FROM a:1\nCOPY --from=1 /x /x\n', quiet: 'FROM a:1\nFROM b:1\nCOPY --from=0 /x /x\n' },
  { rule: 'copy-from-unknown-name', fires: 'FROM a:1 AS builder\nFROM b:1\nCOPY --from=buidler /x /x\n', at: [2, 5], quiet: 'FROM a:1 AS builder\nFROM b:1\nCOPY --from=nginx:1.27 /x /x\n' },
  { rule: 'undefined-var', fires: 'FROM a:1\nWORKDIR $APP\nENV APP=/app\n', at: [1, 8], quiet: 'FROM a:1\nENV APP=/app\nWORKDIR $APP\n' },
  { rule: 'undefined-var', fires: 'ARG VERSION=1\nFROM a:1\nLABEL v=$VERSION\n', at: [2, 8], quiet: 'ARG VERSION=1\nFROM a:1\nARG VERSION\nLABEL v=$VERSION\n' },
  { rule: 'undefined-var', fires: 'FROM a:1 AS one\nENV DIR=/x\nFROM b:1\nWORKDIR $DIR\n', quiet: 'FROM a:1 AS one\nENV DIR=/x\nFROM one\nWORKDIR $DIR\n' },
  { rule: 'undefined-var', fires: 'FROM scratch\nCOPY x $DEST\n', quiet: 'FROM debian:12\nENV PATH=/opt/bin:$PATH\nCOPY x ${DEST:-/x}\n' },
  { rule: 'undefined-var', fires: 'FROM a:1\nENV A=1 B=$A\n', quiet: 'FROM a:1\nENV A=1\nENV B=$A\n' },
  { rule: 'undefined-var', fires: 'FROM a:1\nRUN true\nCOPY app-$TARGETARCH /app\n', quiet: 'FROM a:1\nARG TARGETARCH\nCOPY app-$TARGETARCH /app\n' },
  { rule: 'secret-in-arg-env', fires: 'FROM a:1\nARG GITHUB_TOKEN\n', at: [1, 4], quiet: 'FROM a:1\nARG GITHUB_TOKEN_FILE\n' },
  { rule: 'secret-in-arg-env', fires: 'FROM a:1\nENV DB_PASSWORD=x API_KEY=y\n', quiet: 'FROM a:1\nENV GPG_KEY=A035C8C19219BA82 PUBLIC_KEY=x\n' },
  { rule: 'apt-update-alone', fires: 'FROM a:1\nRUN apt-get update\nRUN apt-get install -y x\n', at: [1, 12], quiet: 'FROM a:1\nRUN apt-get update && apt-get install -y x\n' },
  { rule: 'apt-install-yes', fires: 'FROM a:1\nRUN apt-get update && apt-get install curl\n', at: [1, 30], quiet: 'FROM a:1\nRUN apt-get update && apt-get install -qy curl\n' },
  { rule: 'apt-install-yes', fires: 'FROM a:1\nRUN apt-get -o Dpkg::Options::=--force-confold install curl\n', quiet: 'FROM a:1\nRUN apt-get install -s curl && yes | apt-get install curl\n' },
  { rule: 'apt-no-install-recommends', fires: 'FROM a:1\nRUN apt-get install -y curl\n', at: [1, 12], quiet: 'FROM a:1\nRUN apt-get install -y --no-install-recommends curl\n' },
  { rule: 'apt-lists-not-cleaned', fires: 'FROM a:1\nRUN apt-get update && apt-get install -y x\n', at: [1, 30], quiet: 'FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n' },
  { rule: 'apt-lists-not-cleaned', fires: 'FROM a:1 AS b\nRUN apt-get install -y x\nFROM b\n', quiet: 'FROM a:1 AS b\nRUN apt-get install -y x\nFROM c:1\nCOPY --from=b /x /x\n' },
  { rule: 'apt-not-apt-get', fires: 'FROM a:1\nRUN apt install -y x\n', at: [1, 4], quiet: 'FROM a:1\nRUN apt-get install -y x && echo apt\n' },
  { rule: 'apk-no-cache', fires: 'FROM alpine:3\nRUN apk add curl\n', at: [1, 8], quiet: 'FROM alpine:3\nRUN apk add --no-cache curl\n' },
  { rule: 'run-cd', fires: 'FROM a:1\nRUN cd /src && make\n', at: [1, 4], quiet: 'FROM a:1\nRUN make -C /src && (cd /tmp)\n' },
  { rule: 'run-sudo', fires: 'FROM a:1\nRUN sudo make install\n', at: [1, 4], quiet: 'FROM a:1\nRUN make install && echo sudo\n' },
  { rule: 'pipefail', fires: 'FROM a:1\nRUN curl -fsSL https://x | sh\n', at: [1, 4], quiet: 'FROM a:1\nRUN set -o pipefail && curl -fsSL https://x | sh\n' },
  { rule: 'pipefail', fires: 'FROM a:1\nRUN wget -O- x | tar x\n', quiet: 'FROM a:1\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN wget -O- x | tar x\n' },
  { rule: 'pipefail', fires: 'FROM a:1\nRUN find / | wc -l\n', quiet: 'FROM a:1\nRUN echo "x" | sha256sum -c - || true\n' },
  { rule: 'volume-modified-after', fires: 'FROM a:1\nVOLUME /data\nRUN chown -R app /data\n', at: [2, 17], quiet: 'FROM a:1\nRUN chown -R app /data\nVOLUME /data\nRUN touch /database\n' },
  { rule: 'copy-outside-context', fires: 'FROM a:1\nCOPY ../secrets /s\n', at: [1, 5], quiet: 'FROM a:1\nCOPY ./a/../b /s\nCOPY --from=x ../y /y\n' },
  { rule: 'copy-ignored-source', ignore: 'node_modules\n*.log\n!keep.log\n', fires: 'FROM a:1\nCOPY node_modules/x /x\n', at: [1, 5], quiet: 'FROM a:1\nCOPY keep.log package.json /x/\n' },
  { rule: 'add-instead-of-copy', fires: 'FROM a:1\nADD app.py /app/\n', at: [1, 0], quiet: 'FROM a:1\nADD rootfs.tar.gz /\nADD https://x/y /y\n' },
  { rule: 'copy-multi-source-dest', fires: 'FROM a:1\nCOPY a b /dest\n', at: [1, 9], quiet: 'FROM a:1\nCOPY a b /dest/\nCOPY a /dest\n' },
  { rule: 'copy-multi-source-dest', fires: 'FROM a:1\nCOPY ["a", "b", "/dest"]\n', quiet: 'FROM a:1\nCOPY ["a", "b", "/dest/"]\n' },
  { rule: 'copy-quoted-space', fires: 'FROM a:1\nCOPY "my file.txt" /app/\n', at: [1, 5], quiet: 'FROM a:1\nCOPY ["my file.txt", "/app/"]\nCOPY "plain.txt" /app/\nCOPY <<EOF /x\nhello world\nEOF\n' },
  { rule: 'copy-quoted-space', fires: "FROM a:1\nADD --chmod=644 'two words' my\\ file /x/\n", at: [1, 16], quiet: 'FROM a:1\nADD two words /x/\n' },
  { rule: 'cmd-shell-form', fires: 'FROM a:1\nCMD node server.js\n', at: [1, 4], quiet: 'FROM a:1\nCMD ["node", "server.js"]\n' },
  { rule: 'cmd-shell-form', fires: 'FROM a:1\nENTRYPOINT exec nginx\n', quiet: 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD ping -t localhost\n' },
  { rule: 'overridden-instruction', fires: 'FROM a:1\nCMD ["a"]\nCMD ["b"]\n', at: [1, 0], quiet: 'FROM a:1\nCMD ["a"]\nFROM b:1\nCMD ["b"]\n' },
  { rule: 'onbuild-forbidden', fires: 'FROM a:1\nONBUILD FROM b\n', at: [1, 8], quiet: 'FROM a:1\nONBUILD RUN make\n' },
  { rule: 'maintainer-deprecated', fires: 'FROM a:1\nMAINTAINER Me <me@x.org>\n', at: [1, 0], quiet: 'FROM a:1\nLABEL org.opencontainers.image.authors="Me"\n' },
  { rule: 'workdir-relative', fires: 'FROM a:1\nWORKDIR app\n', at: [1, 8], quiet: 'FROM a:1\nWORKDIR /app\nWORKDIR src\n' },
  { rule: 'expose-host-mapping', fires: 'FROM a:1\nEXPOSE 8080:80\n', at: [1, 7], quiet: 'FROM a:1\nEXPOSE 80/tcp 8000-8010\n' },
  { rule: 'expose-invalid-port', fires: 'FROM a:1\nEXPOSE 80/http 70000\n', at: [1, 7], quiet: 'FROM a:1\nEXPOSE 80/udp 443 $PORT\n' },
  { rule: 'last-user-root', fires: 'FROM a:1\nUSER app\nUSER root\n', at: [2, 5], quiet: 'FROM a:1\nUSER root\nRUN make\nUSER app\n' },
];

describe('dockerfile rules', () => {
  it('every rule has a firing and a quiet case', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    assert.deepEqual(RULES.map((r) => r.id).filter((id) => !covered.has(id)), []);
  });

  it('every rule has a section in docs/dockerfile-rules.md', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../../docs/dockerfile-rules.md'), 'utf8');
    assert.deepEqual(RULES.map((r) => r.id).filter((id) => !doc.includes(`\n## ${id}\n`)), []);
  });

  it('rule ids are unique and kebab-case', () => {
    const ids = RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[a-z]+(-[a-z]+)*$/);
  });

  for (const c of CASES) {
    const options = c.ignore ? { isIgnored: dockerignoreMatcher(c.ignore) } : {};
    it(`${c.rule} fires on ${JSON.stringify(c.fires)}`, () => {
      const found = findings(c.fires, c.rule, options);
      assert.ok(found.length > 0, `expected ${c.rule}`);
      if (c.at) assert.deepEqual([found[0].range.start.line, found[0].range.start.character], c.at);
      for (const f of found) {
        assert.ok(f.message.length > 20 && !f.message.includes('\n'), 'one-line message');
        assert.ok(f.message.endsWith('.'), 'a sentence');
      }
    });
    it(`${c.rule} stays quiet on ${JSON.stringify(c.quiet)}`, () => {
      assert.deepEqual(findings(c.quiet, c.rule, options).map((f) => f.message), []);
    });
  }
});
