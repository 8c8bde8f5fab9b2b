import { EngagementRuleError } from './engagement-errors';
import type { EngagementSnapshot } from './engagement-model';
import { formatCents, fundChargeCents, hireChargeCents } from './money';

/**
 * The budget: the hire charge plus every funded (or being funded) later milestone, fees included. A funding's
 * reservation is held from the moment it is asked for until OpenTrain's state proves no money will move.
 */

export function committedCents(s: EngagementSnapshot): number {
  const hireMilestone = s.milestones.find((m) => m.viaHire);
  const hire = hireChargeCents(hireMilestone ? hireMilestone.amountCents : s.firstMilestone.amountCents);
  return s.milestones.reduce((sum, m) => sum + (m.budgetReserved ? fundChargeCents(m.amountCents) : 0), hire);
}

export function checkBudget(s: EngagementSnapshot, amountCents: number): void {
  if (s.budgetCents === undefined) return;
  const after = committedCents(s) + fundChargeCents(amountCents);
  if (after > s.budgetCents)
    throw new EngagementRuleError(
      'budget_exceeded',
      `funding ${formatCents(amountCents)} (+10% fee) would commit ${formatCents(after)}, over the budget of ${formatCents(s.budgetCents)}`,
    );
}

export function reserveFunding(s: EngagementSnapshot, milestoneId: string): void {
  const m = s.milestones.find((x) => x.id === milestoneId);
  if (m) m.budgetReserved = true;
}

/** Only once nothing can move any more (declined, expired and parked, refused, withdrawn). */
export function dropReservation(s: EngagementSnapshot, milestoneId: string | undefined): void {
  const m = milestoneId ? s.milestones.find((x) => x.id === milestoneId) : undefined;
  if (m && !m.fundedAt) m.budgetReserved = false;
}
