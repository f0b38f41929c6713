'use strict';
// Several plain gRPC Echo backends (grpc-js, no xDS) in one process, for Weft's interop tests.
//
//   node servers.js '[{"name":"v1","port":0},{"name":"v2","port":0,"behaviour":{"failStatus":14}}]'
//
// The configuration (a list, or {"servers": [...]}) comes as the first argument or else as the
// first stdin line. Each server: {name, port (0 = the OS picks), behaviour}. A behaviour:
//   {}                                   answer every call
//   {"failStatus": 14}                   fail every call with that gRPC status code
//   {"failStatus": 14, "failCount": 3}   fail the first 3 calls (since last configured), then answer
//   {"failStatus": 14, "failAttempts": 1} fail attempts 1..N of each x-call-id (so retries succeed)
//   {"delayMs": 200}                     answer (or fail) after a delay
//   "failMessage" overrides the status details of failures.
//
// stdout, one JSON object a line:
//   {"event":"ready","name","port"} per server once bound, then {"event":"listening","count"};
//   {"event":"call","name","callId","attempt","seq","code","metadata"} per call received
//     (code = the status it will answer with, 0 = OK);
//   {"event":"cancelled","name","callId","attempt"} when a client gave up on a delayed call;
//   {"event":"configured","name","behaviour"} / {"event":"stopped","name"} acknowledging commands;
//   {"event":"error","message"} (fatal during start-up: exit code 2).
// stdin commands, one JSON object a line:
//   {"name":"v1","behaviour":{...}}   replace v1's behaviour (its failCount starts again)
//   {"name":"v1","stop":true}         shut v1 down (connections are refused from then on)
// The process exits when stdin closes, so a test that dies never leaves backends behind.
const { grpc, echoService } = require('./lib/echo');
const { emit, finish, readStdin, configFromArgv } = require('./lib/jsonl');

// Transport headers say nothing about routing; everything else the client sent is reported.
const UNREPORTED_HEADERS = new Set(['content-type', 'te', 'grpc-accept-encoding', 'accept-encoding', 'grpc-encoding']);

function parseBehaviour(raw, where) {
  const b = raw ?? {};
  if (typeof b !== 'object' || Array.isArray(b)) {
    throw new Error(`${where}: behaviour must be an object`);
  }
  const known = new Set(['failStatus', 'failCount', 'failAttempts', 'failMessage', 'delayMs']);
  for (const key of Object.keys(b)) {
    if (!known.has(key)) {
      throw new Error(`${where}: unknown behaviour field ${key}`);
    }
  }
  const intField = (key, min, max) => {
    const v = b[key];
    if (v === undefined || v === null) {
      return undefined;
    }
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new Error(`${where}: ${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const parsed = {
    failStatus: intField('failStatus', 1, 16),
    failCount: intField('failCount', 0, 1e9),
    failAttempts: intField('failAttempts', 0, 1e9),
    failMessage: b.failMessage === undefined ? undefined : String(b.failMessage),
    delayMs: intField('delayMs', 0, 600000),
  };
  if (parsed.failStatus === undefined && (parsed.failCount !== undefined || parsed.failAttempts !== undefined)) {
    throw new Error(`${where}: failCount and failAttempts need failStatus`);
  }
  if (parsed.failCount !== undefined && parsed.failAttempts !== undefined) {
    throw new Error(`${where}: give failCount or failAttempts, not both`);
  }
  return parsed;
}

// Whether this call fails: `callsSinceConfigured` and `attempt` both include this call.
function failureFor(behaviour, callsSinceConfigured, attempt) {
  if (behaviour.failStatus === undefined) {
    return 0;
  }
  if (behaviour.failCount !== undefined) {
    return callsSinceConfigured <= behaviour.failCount ? behaviour.failStatus : 0;
  }
  if (behaviour.failAttempts !== undefined) {
    return attempt <= behaviour.failAttempts ? behaviour.failStatus : 0;
  }
  return behaviour.failStatus;
}

function reportedMetadata(metadata) {
  const out = {};
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (!UNREPORTED_HEADERS.has(key) && !key.endsWith('-bin')) {
      out[key] = String(value);
    }
  }
  return out;
}

class Backend {
  constructor(name, port, behaviour) {
    this.name = name;
    this.requestedPort = port;
    this.behaviour = behaviour;
    this.callsSinceConfigured = 0;
    this.seq = 0;
    this.attempts = new Map();
    this.server = new grpc.Server();
    this.server.addService(echoService, { Call: (call, callback) => this.handle(call, callback) });
  }

  handle(call, callback) {
    const callId = call.metadata.get('x-call-id')[0];
    let attempt = 1;
    if (callId !== undefined) {
      attempt = (this.attempts.get(String(callId)) ?? 0) + 1;
      this.attempts.set(String(callId), attempt);
    }
    this.seq += 1;
    this.callsSinceConfigured += 1;
    const behaviour = this.behaviour;
    const code = failureFor(behaviour, this.callsSinceConfigured, attempt);
    emit({
      event: 'call',
      name: this.name,
      callId: callId === undefined ? null : String(callId),
      attempt,
      seq: this.seq,
      code,
      metadata: reportedMetadata(call.metadata),
    });
    // Failures carry the backend in trailers too, so a client can tell who failed it. Nothing is
    // sent as response headers before a failure: headers would commit the call and stop gRPC
    // retrying it.
    const trailers = new grpc.Metadata();
    trailers.set('x-backend', this.name);
    trailers.set('x-attempt', String(attempt));
    const respond = () => {
      if (code !== 0) {
        callback({
          code,
          details: behaviour.failMessage ?? `backend ${this.name} fails on purpose (call ${this.callsSinceConfigured} since configured, attempt ${attempt})`,
          metadata: trailers,
        });
        return;
      }
      callback(null, {
        backend: this.name,
        attempt,
        payload: call.request.payload,
        call_id: callId === undefined ? '' : String(callId),
        authority: call.getHost(),
      }, trailers);
    };
    if (!behaviour.delayMs) {
      respond();
      return;
    }
    const timer = setTimeout(respond, behaviour.delayMs);
    call.on('cancelled', () => {
      clearTimeout(timer);
      emit({ event: 'cancelled', name: this.name, callId: callId === undefined ? null : String(callId), attempt });
    });
  }

  bind() {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`127.0.0.1:${this.requestedPort}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) {
          reject(new Error(`backend ${this.name}: cannot bind 127.0.0.1:${this.requestedPort}: ${err.message}`));
        } else {
          this.port = port;
          resolve(port);
        }
      });
    });
  }

  reconfigure(behaviour) {
    this.behaviour = behaviour;
    this.callsSinceConfigured = 0;
  }

  stop() {
    this.server.forceShutdown();
    this.stopped = true;
  }
}

function parseServers(config) {
  const list = Array.isArray(config) ? config : config?.servers;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error('configuration must be a non-empty list of servers (or {"servers": [...]})');
  }
  const backends = new Map();
  for (const [i, s] of list.entries()) {
    const where = `servers[${i}]`;
    if (typeof s?.name !== 'string' || s.name === '') {
      throw new Error(`${where}: name must be a non-empty string`);
    }
    if (backends.has(s.name)) {
      throw new Error(`${where}: duplicate name ${s.name}`);
    }
    const port = s.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`${where}: port must be an integer in [0, 65535]`);
    }
    backends.set(s.name, new Backend(s.name, port, parseBehaviour(s.behaviour, where)));
  }
  return backends;
}

function command(backends, cmd) {
  const backend = backends.get(cmd?.name);
  if (!backend) {
    emit({ event: 'error', message: `command names no known backend: ${JSON.stringify(cmd?.name)}` });
    return;
  }
  try {
    if (cmd.stop === true) {
      backend.stop();
      emit({ event: 'stopped', name: backend.name });
    } else if ('behaviour' in cmd) {
      backend.reconfigure(parseBehaviour(cmd.behaviour, `command for ${backend.name}`));
      emit({ event: 'configured', name: backend.name, behaviour: backend.behaviour });
    } else {
      emit({ event: 'error', message: `command for ${backend.name} has neither behaviour nor stop` });
    }
  } catch (e) {
    emit({ event: 'error', message: e.message });
  }
}

async function start(config) {
  let backends;
  try {
    backends = parseServers(config);
    for (const backend of backends.values()) {
      const port = await backend.bind();
      emit({ event: 'ready', name: backend.name, port });
    }
  } catch (e) {
    finish(2, { event: 'error', message: e.message });
    return;
  }
  emit({ event: 'listening', count: backends.size });
  return backends;
}

function main() {
  const argConfig = configFromArgv();
  if (argConfig === null) {
    return;
  }
  let backends = null;
  let pending = [];
  const shutdown = () => {
    for (const backend of backends?.values() ?? []) {
      if (!backend.stopped) {
        backend.stop();
      }
    }
    finish(0);
  };
  const begin = async config => {
    backends = await start(config);
    // Commands that arrived while binding are applied in order once the backends exist.
    for (const cmd of pending) {
      command(backends, cmd);
    }
    pending = null;
  };
  readStdin({
    needConfig: argConfig === undefined,
    onConfig: config => begin(config),
    onCommand: cmd => (pending ? pending.push(cmd) : backends && command(backends, cmd)),
    onEnd: shutdown,
  });
  if (argConfig !== undefined) {
    begin(argConfig);
  }
}

process.on('uncaughtException', e => finish(3, { event: 'error', message: `uncaught: ${e.stack ?? e}` }));
main();
