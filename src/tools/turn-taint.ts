import type { ApprovalTaint } from "../approvals/index.js";
import { taintLabel, type Provenance } from "../sessions/index.js";

/**
 * The untrusted content one turn has read, in the order it was read (labels de-duplicated): its
 * message, untrusted messages of the history it was given, and the untrusted tool results of the
 * turn so far. Source: issue "Untrusted-content taint".
 */
export class TurnTaint {
  private readonly items: { readonly provenance: Provenance; readonly label: string }[] = [];

  /** Adds what `p` names; the owner adds nothing. */
  add(p: Provenance): void {
    const label = taintLabel(p);
    if (label !== undefined && !this.items.some((i) => i.label === label)) this.items.push({ provenance: p, label });
  }

  /** True once the turn has read untrusted content. */
  get tainted(): boolean {
    return this.items.length > 0;
  }

  /** The sources as labels, first read first. */
  get sources(): readonly string[] {
    return this.items.map((i) => i.label);
  }

  /**
   * The taint as an approver reads it: `this turn read https://a.test/x` (with `and N more` after the
   * first three). Undefined while untainted.
   */
  describe(): string | undefined {
    if (this.items.length === 0) return undefined;
    const shown = this.sources.slice(0, 3).join(", ");
    const more = this.items.length > 3 ? ` and ${this.items.length - 3} more` : "";
    return `this turn read ${shown}${more}`;
  }

  /**
   * The taint as the security trail records it: the kinds read, and the sources that name no person
   * (URLs, webhook names, inbound file paths; a sender or mailbox is left to the pseudonymized subject).
   */
  trailDetails(): { taintKinds: string[]; taintSources: string[] } {
    const kinds = [...new Set(this.items.map((i) => i.provenance.kind))];
    const sources = this.items
      .filter((i) => ["web", "webhook", "file"].includes(i.provenance.kind))
      .map((i) => i.label.slice(0, 300));
    return { taintKinds: kinds, taintSources: sources };
  }

  /** The first person whose message tainted the turn (`telegram:123` → channel + id), for the trail subject. */
  person(): { channel: string; id: string } | undefined {
    const p = this.items.find((i) => i.provenance.kind === "dm" || i.provenance.kind === "group")?.provenance;
    if (!p || p.kind === "owner") return undefined;
    const m = /^([^:\s]+):(\S+)/.exec(p.source);
    return m ? { channel: m[1] as string, id: m[2] as string } : undefined;
  }
}

/** The taint of an approval request (see {@link ApprovalTaint}). */
export function approvalTaint(taint: TurnTaint): ApprovalTaint {
  const t = taint.trailDetails();
  return { summary: taint.describe() ?? "", kinds: t.taintKinds, sources: t.taintSources };
}
