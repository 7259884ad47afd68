// A real SMTP listener for the portal test internet: the `smtp-server` library (the server half
// of Nodemailer) on port 25 of every address given, each greeting with its own host name.
// No reverse lookup of the client: the namespace has no resolver of its own (it would wait
// for a timeout before every greeting). argv: name=address ... (e.g. mail.dual.test=2001:db8:2:1::25). Prints "ready" once all listen.
import { SMTPServer } from 'smtp-server';

const pairs = process.argv.slice(2).map((a) => a.split('='));
let listening = 0;
for (const [name, address] of pairs) {
  const server = new SMTPServer({ name, banner: 'Posture test MX', authOptional: true, disableReverseLookup: true, disabledCommands: ['STARTTLS'], onData: (s, _session, cb) => s.resume().on('end', () => cb()) });
  server.on('error', (e) => process.stderr.write(`smtp ${name} ${address}: ${e.message}\n`));
  server.listen(25, address, () => {
    if (++listening === pairs.length) process.stdout.write('ready\n');
  });
}
process.on('SIGTERM', () => process.exit(0));
