import type { Firestore } from '@google-cloud/firestore';
import type { DownloadTicket, DownloadTicketStore } from '../core/ports.js';

/**
 * `downloadTickets/{sha256 of the ticket}`: shared by every api instance, so a ticket issued by
 * one can be redeemed at another. Redeeming deletes the document in the same transaction that
 * reads it, so a ticket works once even when two requests race.
 */
export class FirestoreDownloadTickets implements DownloadTicketStore {
  constructor(private readonly db: Firestore) {}

  async issue(ticketHash: string, ticket: DownloadTicket): Promise<void> {
    // `expireAt` as a Date lets a Firestore TTL policy on this field sweep tickets never redeemed.
    await this.db.collection('downloadTickets').doc(ticketHash).create({ ...ticket, expireAt: new Date(ticket.expiresAt) });
  }

  async redeem(ticketHash: string, now: number): Promise<DownloadTicket | null> {
    const ref = this.db.collection('downloadTickets').doc(ticketHash);
    return this.db.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(ref);
      if (!snapshot.exists) return null;
      transaction.delete(ref);
      const { runId, principal, expiresAt } = snapshot.data() as DownloadTicket;
      return expiresAt > now ? { runId, principal, expiresAt } : null;
    });
  }
}
