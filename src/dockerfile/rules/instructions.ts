// Rules about single instructions and their place in a stage: exec form for
// CMD/ENTRYPOINT, overridden CMD/ENTRYPOINT/HEALTHCHECK, ONBUILD triggers,
// MAINTAINER, WORKDIR, EXPOSE, and the final USER.

import type { Rule } from '../rule';
import { argRange, keywordRange, operands, wholeLines } from './locate';

/** Characters that make a shell-form command need a shell (so no mechanical JSON conversion). */
const NEEDS_SHELL = /[$`|&;<>(){}*?[\]~#'"\\!]/;

const cmdShellForm: Rule = {
  id: 'cmd-shell-form',
  buildkit: 'JSONArgsRecommended',
  severity: 'warning',
  summary: 'Shell-form CMD/ENTRYPOINT: the process runs under `/bin/sh -c` and does not get SIGTERM, so `docker stop` waits and kills it.',
  check(ctx) {
    for (const stage of ctx.model.stages)
      for (const ins of stage.body) {
        if ((ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT') || ins.json) continue;
        const ops = operands(ins);
        if (!ops.length || ops[0].raw.startsWith('[')) continue; // json-form-invalid covers broken JSON
        if (!stage.posixShellAt(ins)) continue;
        const text = ins.args.text.slice(ops[0].start);
        const simple = !NEEDS_SHELL.test(text);
        const range = argRange(ins, { start: ops[0].start, end: ops[ops.length - 1].end });
        ctx.report({
          message: `Shell-form ${ins.keyword} runs under "/bin/sh -c", which does not pass SIGTERM on, so the container stops slowly; use the JSON form ${ins.keyword} ["executable", "arg"].`,
          ...range,
          fixes: simple ? [{ title: 'Convert to JSON form', edits: [{ ...range, newText: JSON.stringify(ops.map((w) => w.value)).replace(/","/g, '", "') }] }] : undefined,
        });
      }
  },
};

const overridden: Rule = {
  id: 'overridden-instruction',
  buildkit: 'MultipleInstructionsDisallowed',
  severity: 'warning',
  summary: 'More than one CMD, ENTRYPOINT or HEALTHCHECK in a stage: only the last one takes effect.',
  check(ctx) {
    const { text } = ctx.model.file;
    for (const stage of ctx.model.stages)
      for (const kw of ['CMD', 'ENTRYPOINT', 'HEALTHCHECK']) {
        const all = stage.body.filter((i) => i.keyword === kw);
        const last = all[all.length - 1];
        for (const ins of all.slice(0, -1))
          ctx.report({
            message: `Only the last ${kw} in a stage counts, and line ${last.line + 1} has another; remove this one.`,
            ...keywordRange(ins),
            fixes: [{ title: `Remove this ${kw}`, edits: [{ ...wholeLines(ins, text), newText: '' }] }],
          });
      }
  },
};

const onbuildForbidden: Rule = {
  id: 'onbuild-forbidden',
  severity: 'error',
  summary: 'ONBUILD with FROM, MAINTAINER or ONBUILD, which the builder rejects.',
  check(ctx) {
    for (const ins of ctx.model.file.instructions) {
      if (ins.keyword !== 'ONBUILD') continue;
      const inner = operands(ins)[0];
      const kw = inner?.value.toUpperCase();
      if (kw !== 'FROM' && kw !== 'MAINTAINER' && kw !== 'ONBUILD') continue;
      ctx.report({ message: `ONBUILD ${kw} is not allowed; the builder rejects it, so remove it.`, ...argRange(ins, inner) });
    }
  },
};

const maintainer: Rule = {
  id: 'maintainer-deprecated',
  buildkit: 'MaintainerDeprecated',
  severity: 'info',
  summary: 'MAINTAINER is deprecated; a LABEL carries the same information.',
  check(ctx) {
    for (const ins of ctx.model.file.instructions) {
      if (ins.keyword !== 'MAINTAINER') continue;
      const who = ins.args.text.trim();
      ctx.report({
        message: 'MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors="..." instead.',
        ...keywordRange(ins),
        fixes: [
          {
            title: 'Replace with LABEL org.opencontainers.image.authors',
            edits: [{ start: ins.start, end: ins.end, newText: `LABEL org.opencontainers.image.authors=${JSON.stringify(who)}` }],
          },
        ],
      });
    }
  },
};

const workdirRelative: Rule = {
  id: 'workdir-relative',
  buildkit: 'WorkdirRelativePath',
  severity: 'warning',
  summary: 'A relative WORKDIR depends on the previous working directory, often the base image\'s.',
  check(ctx) {
    for (const stage of ctx.model.stages) {
      let absoluteSeen = false;
      for (const ins of stage.body) {
        if (ins.keyword !== 'WORKDIR') continue;
        const w = operands(ins)[0];
        if (!w) continue;
        const v = w.value;
        const absolute = v.startsWith('/') || v.startsWith('$') || /^[A-Za-z]:[\\/]/.test(v) || v.startsWith('\\');
        if (!absolute && !absoluteSeen)
          ctx.report({
            message: `WORKDIR "${v}" is relative to whatever directory the base image left; use an absolute path such as /${v.replace(/^\.\//, '')}.`,
            ...argRange(ins, w),
          });
        if (absolute) absoluteSeen = true;
      }
    }
  },
};

const PORT_SPEC = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/;

const exposeHostMapping: Rule = {
  id: 'expose-host-mapping',
  buildkit: 'ExposeInvalidFormat',
  severity: 'warning',
  summary: 'EXPOSE with a host address or port (`8080:80`): a Dockerfile cannot publish ports; that is `docker run -p`.',
  check(ctx) {
    for (const ins of ctx.model.file.instructions) {
      if (ins.keyword !== 'EXPOSE') continue;
      for (const w of operands(ins)) {
        if (!w.value.includes(':') || w.value.includes('$')) continue;
        const container = w.value.slice(w.value.lastIndexOf(':') + 1);
        const at = argRange(ins, w);
        ctx.report({
          message: `EXPOSE ${w.value} maps a host port, which a Dockerfile cannot do (publish with "docker run -p ${w.value}"); write EXPOSE ${container}.`,
          ...at,
          fixes: container ? [{ title: `Expose ${container} only`, edits: [{ ...at, newText: container }] }] : undefined,
        });
      }
    }
  },
};

const exposeInvalid: Rule = {
  id: 'expose-invalid-port',
  severity: 'error',
  summary: 'EXPOSE with something that is not a port, port range, or `/tcp`, `/udp`, `/sctp`.',
  check(ctx) {
    for (const ins of ctx.model.file.instructions) {
      if (ins.keyword !== 'EXPOSE') continue;
      for (const w of operands(ins)) {
        if (w.value.includes('$')) continue;
        const spec = w.value.slice(w.value.lastIndexOf(':') + 1);
        const m = PORT_SPEC.exec(spec);
        let problem: string | undefined;
        if (!m) problem = `"${w.value}" is not a port; write a number from 1 to 65535, optionally with /tcp, /udp or /sctp.`;
        else {
          const lo = Number(m[1]);
          const hi = m[2] === undefined ? lo : Number(m[2]);
          if (lo < 1 || hi > 65535 || hi < lo) problem = `Port "${spec}" is out of range; ports go from 1 to 65535.`;
          else if (m[3] && !['tcp', 'udp', 'sctp'].includes(m[3].toLowerCase())) problem = `Protocol "${m[3]}" is not one of tcp, udp or sctp.`;
        }
        if (problem) ctx.report({ message: problem, ...argRange(ins, w) });
      }
    }
  },
};

const lastUserRoot: Rule = {
  id: 'last-user-root',
  severity: 'warning',
  summary: 'The final stage\'s last USER is root, so containers run as root.',
  check(ctx) {
    const final = ctx.model.stages[ctx.model.stages.length - 1];
    if (!final) return;
    const users = final.body.filter((i) => i.keyword === 'USER');
    const last = users[users.length - 1];
    const w = last && operands(last)[0];
    if (!w) return;
    const user = w.value.split(':')[0].toLowerCase();
    if (user !== 'root' && user !== '0') return;
    ctx.report({ message: 'The image ends with USER root, so containers run as root; switch to an unprivileged USER at the end.', ...argRange(last, w) });
  },
};

export const instructionRules: Rule[] = [
  cmdShellForm,
  overridden,
  onbuildForbidden,
  maintainer,
  workdirRelative,
  exposeHostMapping,
  exposeInvalid,
  lastUserRoot,
];
