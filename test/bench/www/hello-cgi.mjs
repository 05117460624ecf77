#!/usr/bin/env node
// The CGI hello of the `nginx → tsfpm CGI` (handler = cgi) and `nginx → fcgiwrap` rows: one Node
// process per request, as a CGI script is. The bench runs a copy whose shebang names its own node.
process.stdout.write('Content-Type: text/plain\r\n\r\nHello from cgi\n');
