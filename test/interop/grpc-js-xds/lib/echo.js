'use strict';
// Loads echo.proto once for servers.js and client.js. Both must use the same @grpc/grpc-js
// instance as @grpc/grpc-js-xds (its peer dependency), so everything requires it from here.
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const definition = protoLoader.loadSync(path.join(__dirname, '..', 'echo.proto'), {
  // Field names as written in the proto (call_id), numbers as JS numbers, defaults filled in,
  // so a reply always carries backend and attempt even when they are "" or 0.
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
});
const Echo = grpc.loadPackageDefinition(definition).weft.interop.Echo;

module.exports = {
  grpc,
  EchoClient: Echo,
  echoService: Echo.service,
};
