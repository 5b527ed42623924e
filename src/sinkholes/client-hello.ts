/**
 * Reads the server name (SNI) from a TLS ClientHello without terminating TLS, so any client is
 * recorded whether or not it trusts our CA.
 */
export type ClientHelloRead =
  | { readonly state: 'incomplete' }
  | { readonly state: 'not-tls' }
  | { readonly state: 'hello'; readonly serverName?: string };

const HANDSHAKE = 0x16;
const CLIENT_HELLO = 0x01;
const SERVER_NAME_EXTENSION = 0x0000;

export function readClientHello(data: Buffer): ClientHelloRead {
  if (data.length < 1) return { state: 'incomplete' };
  if (data[0] !== HANDSHAKE) return { state: 'not-tls' };
  if (data.length < 5) return { state: 'incomplete' };
  const recordLength = data.readUInt16BE(3);
  if (data.length < 5 + recordLength) return { state: 'incomplete' };
  const hello = data.subarray(5, 5 + recordLength);
  if (hello[0] !== CLIENT_HELLO) return { state: 'not-tls' };
  try {
    return { state: 'hello', ...serverNameOf(hello) };
  } catch {
    // A ClientHello split over several records or malformed: still TLS, name unknown.
    return { state: 'hello' };
  }
}

function serverNameOf(hello: Buffer): { serverName?: string } {
  let at = 4 + 2 + 32; // handshake header, client version, random
  at += 1 + hello.readUInt8(at); // session id
  at += 2 + hello.readUInt16BE(at); // cipher suites
  at += 1 + hello.readUInt8(at); // compression methods
  const extensionsEnd = at + 2 + hello.readUInt16BE(at);
  at += 2;
  while (at + 4 <= extensionsEnd) {
    const type = hello.readUInt16BE(at);
    const length = hello.readUInt16BE(at + 2);
    const body = hello.subarray(at + 4, at + 4 + length);
    if (type === SERVER_NAME_EXTENSION) {
      // server_name_list length (2), then entries of type (1) + length (2) + name
      let entry = 2;
      while (entry + 3 <= body.length) {
        const nameType = body.readUInt8(entry);
        const nameLength = body.readUInt16BE(entry + 1);
        if (nameType === 0) return { serverName: body.subarray(entry + 3, entry + 3 + nameLength).toString('ascii') };
        entry += 3 + nameLength;
      }
    }
    at += 4 + length;
  }
  return {};
}
