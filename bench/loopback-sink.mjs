// Loopback limit helper: a TCP server on 127.0.0.1 that prints its port, counts the bytes of one
// connection, and answers with the count when the client ends. Plain JS so it starts without a loader.
import { createServer } from 'node:net';

const server = createServer((socket) => {
  let received = 0;
  socket.on('data', (chunk) => (received += chunk.byteLength));
  socket.on('end', () => socket.end(String(received)));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
