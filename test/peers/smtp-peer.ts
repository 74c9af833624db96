import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** The login the client authenticated with, when it did. */
  login: string | null;
  parsed: ParsedMail;
}

/** The SMTP step a fault hits: the sender (MAIL FROM), a recipient (RCPT TO) or the end of the message. */
export type SmtpStage = 'MAIL' | 'RCPT' | 'DATA';

/**
 * What the next transaction meets: a 4xx/5xx reply at a stage, the line cut before anything
 * was accepted, or the line cut once the whole message arrived and before the 250 went out.
 */
export type SmtpFault = { kind: 'reply'; at: SmtpStage; code: number; message: string } | { kind: 'drop-at-mail-from' } | { kind: 'drop-after-data' };

/** A real SMTP server (smtp-server) on loopback that keeps what it receives, parsed by mailparser. */
export class SmtpPeer {
  /** Mails the peer confirmed with 250. */
  readonly received: ReceivedMail[] = [];
  /** Mails that arrived in full but whose connection the peer cut before confirming. */
  readonly unconfirmed: ReceivedMail[] = [];
  private readonly faults: SmtpFault[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: SMTPServer;

  constructor(private readonly credentials: { user: string; pass: string } = { user: 'robots', pass: 'secret' }) {
    this.server = new SMTPServer({
      logger: false,
      // Plain text on loopback: nodemailer would otherwise upgrade to the self-signed STARTTLS.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: false,
      closeTimeout: 100,
      onAuth: (auth, _session, callback) => {
        if (auth.username === this.credentials.user && auth.password === this.credentials.pass) return callback(null, { user: auth.username });
        return callback(replyError(535, '5.7.8 Authentication credentials invalid'));
      },
      onMailFrom: (_address, session, callback) => {
        const fault = this.takeFault('MAIL');
        if (fault?.kind === 'drop-at-mail-from') return this.cut(session);
        if (fault?.kind === 'reply') return callback(replyError(fault.code, fault.message));
        return callback();
      },
      onRcptTo: (_address, _session, callback) => {
        const fault = this.takeFault('RCPT');
        if (fault?.kind === 'reply') return callback(replyError(fault.code, fault.message));
        return callback();
      },
      onData: (stream, session, callback) => {
        // A client that dies mid-message never gets its 250: the half message is not received.
        this.receive(stream, session, callback).catch((error: Error) => callback(error));
      },
    });
    // A client killed mid-conversation (kill -9) resets its socket: a real server shrugs and goes on.
    this.server.on('error', () => undefined);
    this.server.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** `port` 0 picks a free one; a given port lets a second peer come back where an earlier one went down. */
  async start(wantedPort = 0): Promise<{ port: number; url: string }> {
    await new Promise<void>((resolve) => this.server.listen(wantedPort, '127.0.0.1', () => resolve()));
    const { port } = this.server.server.address() as AddressInfo;
    return { port, url: `smtp://${encodeURIComponent(this.credentials.user)}:${encodeURIComponent(this.credentials.pass)}@127.0.0.1:${port}` };
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next transaction meets this fault (faults queue up, one per transaction). */
  failNext(fault: SmtpFault): this {
    this.faults.push(fault);
    return this;
  }

  private takeFault(stage: SmtpStage): SmtpFault | undefined {
    const next = this.faults[0];
    if (!next) return undefined;
    const hits = (next.kind === 'reply' && next.at === stage) || (next.kind === 'drop-at-mail-from' && stage === 'MAIL') || (next.kind === 'drop-after-data' && stage === 'DATA');
    return hits ? this.faults.shift() : undefined;
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null) => void): Promise<void> {
    const parsed = await simpleParser(stream);
    const mail: ReceivedMail = {
      envelope: {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((recipient) => recipient.address),
      },
      login: typeof session.user === 'string' ? session.user : null,
      parsed,
    };
    const fault = this.takeFault('DATA');
    if (fault?.kind === 'drop-after-data') {
      this.unconfirmed.push(mail);
      return this.cut(session);
    }
    if (fault?.kind === 'reply') return callback(replyError(fault.code, fault.message));
    this.received.push(mail);
    callback();
  }

  /** Cuts the client's connection without a reply, as a crashed or unplugged server would. */
  private cut(session: SMTPServerSession): void {
    for (const socket of this.sockets) {
      if (socket.remotePort === session.remotePort) socket.destroy();
    }
  }
}

function replyError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}
