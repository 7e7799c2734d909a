import type { DownloadTicket, DownloadTicketStore } from '../core/ports.js';

/** Download tickets in one process: unit tests, and an api that runs as a single instance. */
export class MemoryDownloadTickets implements DownloadTicketStore {
  readonly tickets = new Map<string, DownloadTicket>();

  async issue(ticketHash: string, ticket: DownloadTicket): Promise<void> {
    this.tickets.set(ticketHash, structuredClone(ticket));
  }

  async redeem(ticketHash: string, now: number): Promise<DownloadTicket | null> {
    const ticket = this.tickets.get(ticketHash);
    this.tickets.delete(ticketHash);
    return ticket && ticket.expiresAt > now ? ticket : null;
  }
}
