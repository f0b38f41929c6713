'use strict';
// JSON-lines plumbing shared by servers.js and client.js: the C# harness reads one JSON object
// per stdout line and writes commands as JSON lines on stdin.
const readline = require('readline');

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// Writes a last line and exits once stdout has taken it, so the harness never loses the line
// that explains why the process ended.
function finish(code, obj) {
  if (obj) {
    emit(obj);
  }
  process.stdout.write('', () => process.exit(code));
}

// Starts reading stdin as JSON lines. The first line is the configuration when `needConfig` is
// true (no configuration argument was given); later lines go to onCommand. onEnd runs when
// stdin closes, which is how the harness (or a dead parent) stops the process.
function readStdin({ needConfig, onConfig, onCommand, onEnd }) {
  let waitingForConfig = needConfig;
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', line => {
    if (line.trim() === '') {
      return;
    }
    let parsed;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      if (waitingForConfig) {
        finish(2, { event: 'error', message: `configuration on stdin is not JSON: ${e.message}` });
      } else {
        emit({ event: 'error', message: `command is not JSON: ${e.message}`, line });
      }
      return;
    }
    if (waitingForConfig) {
      waitingForConfig = false;
      onConfig(parsed);
    } else if (onCommand) {
      onCommand(parsed);
    }
  });
  lines.on('close', () => {
    if (waitingForConfig) {
      finish(2, { event: 'error', message: 'stdin closed before a configuration line arrived' });
      return;
    }
    if (onEnd) {
      onEnd();
    }
  });
}

// The configuration comes as the first command-line argument, or else as the first stdin line.
function configFromArgv() {
  const arg = process.argv[2];
  if (arg === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(arg);
  } catch (e) {
    finish(2, { event: 'error', message: `configuration argument is not JSON: ${e.message}` });
    return null;
  }
}

module.exports = { emit, finish, readStdin, configFromArgv };
