'use strict';
// Calls weft.interop.Echo/Call through gRPC's own xDS client (@grpc/grpc-js-xds), for Weft's
// interop tests. The bootstrap comes from GRPC_XDS_BOOTSTRAP_CONFIG (the C# harness builds it).
//
//   node client.js '{"target":"xds:///echo.default.svc.cluster.local:7070","calls":20}'
//
// Configuration (first argument, or else the first stdin line):
//   target        "xds:///HOST:PORT"; with "direct": true a plain "127.0.0.1:PORT" (no xDS at all,
//                 so the harness can test itself without a control plane)
//   mode          "count" (default): make `calls` calls, then exit;
//                 "stream": start a call every `intervalMs` (default 20) until stdin closes,
//                 `maxCalls` calls were started or `maxDurationMs` passed
//   calls         count mode: how many calls (default 1)
//   concurrency   calls in flight at once (default 1)
//   metadata      headers sent on every call; "{i}" in a value becomes the call's index and
//                 "{i%N}" the index modulo N (distinct hash keys for ring-hash tests)
//   deadlineMs    per-call deadline (none by default)
//   payload       request payload (default "ping")
//   maxCalls      stream mode cap (default 10000); maxDurationMs: hard time cap of every mode
//                 (default 60000); at the time cap calls still in flight are cancelled
//   drainMs       stream mode: how long calls in flight may finish after stdin closed (default 5000)
//   serviceConfig direct only: a gRPC service config object for the channel (e.g. a retryPolicy), so
//                 the harness can test its attempt counting without a control plane
// Every call carries a unique x-call-id, so a backend can count the attempts of one call.
//
// stdout, one JSON object a line:
//   {"event":"start","runId","target","mode","direct"}
//   {"event":"result","i","callId","ok","code","details","backend","attempt","clientAttempts","elapsedMs"}
//     backend/attempt come from the reply, or from a failing backend's trailers (null when no
//     backend answered); clientAttempts = attempts gRPC made for the call (retries + 1)
//   {"event":"done","started","finished","ok","failed","byBackend","byCode","elapsedMs","stoppedBy"}
//     byBackend counts every result naming a backend (ok or not); byCode counts every result
//   {"event":"error","message"} for setup failures (exit code 2) or a crash (exit code 3)
const crypto = require('crypto');
const { grpc, EchoClient } = require('./lib/echo');
const { emit, finish, readStdin, configFromArgv } = require('./lib/jsonl');

const ABSOLUTE_MAX_CALLS = 100000;
const ABSOLUTE_MAX_DURATION_MS = 600000;

function parseConfig(raw) {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error('configuration must be a JSON object');
  }
  const known = new Set(['target', 'direct', 'mode', 'calls', 'concurrency', 'metadata', 'deadlineMs',
    'payload', 'intervalMs', 'maxCalls', 'maxDurationMs', 'drainMs', 'serviceConfig']);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) {
      throw new Error(`unknown configuration field ${key}`);
    }
  }
  const int = (key, def, min, max) => {
    const v = raw[key] ?? def;
    if (v === undefined) {
      return undefined;
    }
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new Error(`${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const mode = raw.mode ?? 'count';
  if (mode !== 'count' && mode !== 'stream') {
    throw new Error(`mode must be "count" or "stream", got ${JSON.stringify(mode)}`);
  }
  const direct = raw.direct === true;
  if (typeof raw.target !== 'string' || raw.target === '') {
    throw new Error('target must be a non-empty string');
  }
  if (!direct && !raw.target.startsWith('xds:')) {
    throw new Error(`target ${raw.target} is not an xds: target (set "direct": true to call without xDS)`);
  }
  if (direct && raw.target.startsWith('xds:')) {
    throw new Error('a direct client takes a plain host:port target, not xds:');
  }
  if (raw.serviceConfig !== undefined && (!direct || typeof raw.serviceConfig !== 'object' || raw.serviceConfig === null)) {
    throw new Error('serviceConfig must be an object, and only a direct client takes one (xDS supplies its own)');
  }
  const metadata = raw.metadata ?? {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new Error('metadata must be an object of header names to string values');
  }
  return {
    target: raw.target,
    direct,
    mode,
    calls: int('calls', 1, 0, ABSOLUTE_MAX_CALLS),
    concurrency: int('concurrency', 1, 1, 1000),
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), String(v)])),
    deadlineMs: int('deadlineMs', undefined, 1, ABSOLUTE_MAX_DURATION_MS),
    payload: raw.payload === undefined ? 'ping' : String(raw.payload),
    intervalMs: int('intervalMs', 20, 1, 60000),
    maxCalls: int('maxCalls', 10000, 0, ABSOLUTE_MAX_CALLS),
    maxDurationMs: int('maxDurationMs', 60000, 1, ABSOLUTE_MAX_DURATION_MS),
    drainMs: int('drainMs', 5000, 0, ABSOLUTE_MAX_DURATION_MS),
    serviceConfig: raw.serviceConfig,
  };
}

function expand(template, i) {
  return template.replace(/\{i(?:%(\d+))?\}/g, (_, mod) => String(mod ? i % Number(mod) : i));
}

function checkBootstrap() {
  if (process.env.GRPC_XDS_BOOTSTRAP) {
    return;
  }
  const inline = process.env.GRPC_XDS_BOOTSTRAP_CONFIG;
  if (!inline) {
    throw new Error('neither GRPC_XDS_BOOTSTRAP nor GRPC_XDS_BOOTSTRAP_CONFIG is set');
  }
  try {
    JSON.parse(inline);
  } catch (e) {
    throw new Error(`GRPC_XDS_BOOTSTRAP_CONFIG is not JSON: ${e.message}`);
  }
}

// Runs the calls and reports them; resolves nothing, ends the process through finish().
function run(cfg) {
  const runId = crypto.randomBytes(4).toString('hex');
  const headerTemplates = Object.entries(cfg.metadata);
  // A bad header name throws here, before any call, so it is a setup error.
  const probe = new grpc.Metadata();
  for (const [k, v] of headerTemplates) {
    probe.set(k, expand(v, 0));
  }
  // No proxy between the harness's processes on loopback, whatever the environment says.
  const options = { 'grpc.enable_http_proxy': 0 };
  if (cfg.serviceConfig !== undefined) {
    options['grpc.service_config'] = JSON.stringify(cfg.serviceConfig);
  }
  const client = new EchoClient(cfg.target, grpc.credentials.createInsecure(), options);
  const startedAt = performance.now();
  const inFlight = new Map();
  const summary = { started: 0, finished: 0, ok: 0, failed: 0, byBackend: {}, byCode: {} };
  let stoppedBy = null;
  let done = false;
  let streamTimer = null;
  let drainTimer = null;

  emit({ event: 'start', runId, target: cfg.target, mode: cfg.mode, direct: cfg.direct });

  const complete = () => {
    if (done) {
      return;
    }
    done = true;
    clearInterval(streamTimer);
    clearTimeout(drainTimer);
    clearTimeout(hardStop);
    client.close();
    finish(0, { event: 'done', ...summary, elapsedMs: Math.round(performance.now() - startedAt), stoppedBy });
  };

  const stop = (reason, cancelInFlight) => {
    stoppedBy ??= reason;
    clearInterval(streamTimer);
    if (inFlight.size === 0) {
      complete();
      return;
    }
    if (cancelInFlight) {
      for (const call of inFlight.values()) {
        call.cancel();
      }
    } else if (drainTimer === null) {
      drainTimer = setTimeout(() => stop(reason, true), cfg.drainMs);
    }
  };

  const hardStop = setTimeout(() => stop('maxDuration', true), cfg.maxDurationMs);

  const startCall = () => {
    const i = summary.started;
    summary.started += 1;
    const callId = `${runId}-${i}`;
    const metadata = new grpc.Metadata();
    for (const [k, v] of headerTemplates) {
      metadata.set(k, expand(v, i));
    }
    metadata.set('x-call-id', callId);
    const options = cfg.deadlineMs === undefined ? {} : { deadline: new Date(Date.now() + cfg.deadlineMs) };
    const t0 = performance.now();
    let previousAttempts = 0;
    const readPrevious = md => {
      const v = md?.get('grpc-previous-rpc-attempts')[0];
      if (v !== undefined) {
        previousAttempts = Math.max(previousAttempts, Number(v) || 0);
      }
    };
    const call = client.Call({ payload: cfg.payload }, metadata, options, (err, reply) => {
      inFlight.delete(i);
      let backend = null;
      let attempt = null;
      if (err) {
        readPrevious(err.metadata);
        backend = err.metadata?.get('x-backend')[0] ?? null;
        const a = err.metadata?.get('x-attempt')[0];
        attempt = a === undefined ? null : Number(a);
      } else {
        backend = reply.backend;
        attempt = reply.attempt;
      }
      const code = err ? err.code : grpc.status.OK;
      summary.finished += 1;
      summary[err ? 'failed' : 'ok'] += 1;
      summary.byCode[code] = (summary.byCode[code] ?? 0) + 1;
      if (backend !== null) {
        summary.byBackend[backend] = (summary.byBackend[backend] ?? 0) + 1;
      }
      emit({
        event: 'result',
        i,
        callId,
        ok: !err,
        code,
        details: err ? err.details : '',
        backend,
        attempt,
        clientAttempts: previousAttempts + 1,
        elapsedMs: Math.round((performance.now() - t0) * 10) / 10,
      });
      afterCall();
    });
    call.on('metadata', readPrevious);
    inFlight.set(i, call);
  };

  // Count mode keeps `concurrency` calls in flight until `calls` were made; stream mode ticks.
  const afterCall = () => {
    if (stoppedBy !== null) {
      if (inFlight.size === 0) {
        complete();
      }
      return;
    }
    if (cfg.mode === 'count') {
      if (summary.started < cfg.calls) {
        startCall();
      } else if (inFlight.size === 0) {
        stoppedBy = 'count';
        complete();
      }
    }
  };

  if (cfg.mode === 'count') {
    if (cfg.calls === 0) {
      stoppedBy = 'count';
      complete();
      return;
    }
    while (summary.started < Math.min(cfg.calls, cfg.concurrency)) {
      startCall();
    }
  } else {
    const tick = () => {
      if (summary.started >= cfg.maxCalls) {
        stop('maxCalls', false);
      } else if (inFlight.size < cfg.concurrency) {
        startCall();
      }
    };
    streamTimer = setInterval(tick, cfg.intervalMs);
    tick();
  }
  return { stop, mode: cfg.mode };
}

function main() {
  const argConfig = configFromArgv();
  if (argConfig === null) {
    return;
  }
  let handle = null;
  const begin = raw => {
    try {
      const cfg = parseConfig(raw);
      if (!cfg.direct) {
        checkBootstrap();
        require('@grpc/grpc-js-xds').register();
      }
      handle = run(cfg);
    } catch (e) {
      finish(2, { event: 'error', message: e.message });
    }
  };
  // Stream mode stops when stdin closes; count mode ignores stdin (its caps end it), so a
  // count-mode client can be run from a shell with stdin at /dev/null. The configuration is
  // always taken (synchronously) before stdin can report its end.
  readStdin({
    needConfig: argConfig === undefined,
    onConfig: begin,
    onEnd: () => {
      if (handle?.mode === 'stream') {
        handle.stop('stdin', false);
      }
    },
  });
  if (argConfig !== undefined) {
    begin(argConfig);
  }
}

process.on('uncaughtException', e => finish(3, { event: 'error', message: `uncaught: ${e.stack ?? e}` }));
main();
