// The tag retention of a project on its policies page: the policy's rules in words ("keep the 3 most
// recently pushed of tags matching v* in repositories matching app"), its schedule, the recent runs
// with their counts, and a run's decisions on request. Callers who may run retention get "Dry run" and
// "Run now"; a real run deletes tags, so it takes a second click (no dialog). The policy itself is
// edited with the CLI or the API.
import { ApiError, json } from '../api.js';
import { h, replace, type Child } from '../dom.js';
import type { PageContext } from '../page.js';
import type { RetentionDecision, RetentionPolicy, RetentionRule, RetentionRun } from '../types.js';
import { badge, message, shortDigest, table, time } from '../view.js';
import { confirmButton, liveSection, showFailure, type PolicyScope } from './policy-scope.js';

const POLL_MS = 700;
const DECISIONS_SHOWN = 1000;

/** A retention rule in words. */
export function describeRule(rule: RetentionRule): Child[] {
  const n = (key: string) => rule.params[key] ?? '?';
  const keep: Record<string, string> = {
    latestPushedK: `keep the ${n('latestPushedK')} most recently pushed`,
    latestPulledN: `keep the ${n('latestPulledN')} most recently pulled`,
    nDaysSinceLastPush: `keep those pushed in the last ${n('nDaysSinceLastPush')} days`,
    nDaysSinceLastPull: `keep those pulled in the last ${n('nDaysSinceLastPull')} days`,
    always: 'always keep all',
  };
  const tags = rule.tagSelector;
  const repos = rule.repositorySelector;
  return [
    keep[rule.template] ?? `${rule.template} ${JSON.stringify(rule.params)}`,
    ` of tags ${tags.decoration === 'excludes' ? 'not matching' : 'matching'} `, h('code', { class: 'pattern' }, tags.pattern),
    tags.untagged ? ' (and untagged artifacts)' : '',
    ` in repositories ${repos.decoration === 'repoExcludes' ? 'not matching' : 'matching'} `, h('code', { class: 'pattern' }, repos.pattern),
    rule.disabled ? [' ', badge('disabled', 'muted')] : null,
  ];
}

/** The tag retention section. */
export function retentionSection(ctx: PageContext, scope: PolicyScope): HTMLElement {
  const path = `${scope.base}/retention`;
  const status = h('div', { id: 'retention-status' });
  const decisions = h('div', { id: 'retention-decisions', 'aria-live': 'polite' });
  let poll: ReturnType<typeof setTimeout> | undefined;
  const live = liveSection(ctx, 'Tag retention', 'tag retention', async () => {
    const [policy, runs] = await Promise.all([
      json<RetentionPolicy>(path).catch((err: unknown) => (err instanceof ApiError && err.status === 404 ? null : Promise.reject(err))),
      json<RetentionRun[]>(`${path}/runs?limit=20`),
    ]);
    clearTimeout(poll);
    if (runs.some((r) => r.status === 'running')) poll = setTimeout(() => void (ctx.current() && live.reload()), POLL_MS);
    return [
      policy ? policyView(policy) : h('p', { class: 'message info', role: 'status' }, 'This project has no retention policy. Set one with ', h('code', null, 'berth retention set'), ' or the API.'),
      policy && scope.rights.runRetention ? runButtons() : null,
      h('h3', null, 'Recent runs'),
      h('div', { id: 'retention-runs' }, table('Retention runs', ['Run', 'Kind', 'Status', 'Candidates', 'Retained', 'Deleted', 'Skipped', 'Failed', 'Started', ''], runs.map(runRow), 'No runs yet.')),
    ];
  }, status, decisions);

  function runButtons(): HTMLElement {
    const start = (dryRun: boolean) => {
      replace(status);
      void json<RetentionRun>(`${path}/runs`, { method: 'POST', body: { dryRun } })
        .then((run) => Promise.all([live.reload(), showDecisions(run.id)]), showFailure(status, dryRun ? 'start a dry run' : 'start the run'));
    };
    const dry = h('button', { type: 'button', id: 'retention-dry-run' }, 'Dry run');
    dry.addEventListener('click', () => start(true));
    const real = confirmButton('Run now', 'Confirm: run now and delete', { id: 'retention-run', class: 'danger' }, () => start(false),
      () => replace(status, message('A run deletes every tag the policy does not keep (blob bytes are freed later by garbage collection). Click again to run it.')));
    return h('p', { class: 'filters' }, dry, ' ', real);
  }

  function runRow(run: RetentionRun): Child[] {
    const tone = run.status === 'succeeded' ? 'ok' : run.status === 'failed' ? 'bad' : 'info';
    const show = h('button', { type: 'button', class: 'small', title: `Decisions of run ${run.id}` }, 'Decisions');
    show.addEventListener('click', () => void showDecisions(run.id));
    const c = run.counts;
    return [
      `#${run.id}`,
      [run.dryRun ? badge('dry run', 'info') : badge('real', 'warn'), run.trigger === 'schedule' ? ' scheduled' : null],
      [badge(run.status, tone, run.error ?? undefined), run.error ? h('div', { class: 'muted' }, run.error) : null],
      c.candidates, c.retained, c.deleted, c.skipped, c.failed,
      [time(run.startedAt), run.operator ? ` by ${run.operator}` : null],
      show,
    ];
  }

  async function showDecisions(id: number): Promise<void> {
    replace(decisions, h('p', { class: 'loading', role: 'status' }, `Loading the decisions of run #${id}…`));
    let run: RetentionRun & { decisions: RetentionDecision[] };
    try {
      run = await json(`${path}/runs/${id}?limit=${DECISIONS_SHOWN}`);
    } catch (err) {
      if (ctx.current()) replace(decisions, message(`Could not load run #${id}: ${err instanceof Error ? err.message : String(err)}`, 'error'));
      return;
    }
    if (!ctx.current()) return;
    if (run.status === 'running') {
      setTimeout(() => void (ctx.current() && showDecisions(id)), POLL_MS);
      return;
    }
    const rows = run.decisions.map((d): Child[] => [
      d.repository,
      d.tags.length > 0 ? d.tags.map((t) => [h('code', { class: 'tag' }, t), ' ']) : h('span', { class: 'muted' }, 'untagged'),
      shortDigest(d.digest),
      badge(d.action, d.action === 'retained' ? 'ok' : run.dryRun ? 'warn' : 'bad'),
      d.reason,
    ]);
    replace(decisions,
      h('h3', null, `Decisions of run #${run.id}`),
      run.dryRun ? h('p', { class: 'muted' }, 'A dry run: nothing was deleted; “deleted” means the run would delete it.') : null,
      run.decisions.length < run.counts.candidates ? h('p', { class: 'muted' }, `Showing the first ${run.decisions.length} of ${run.counts.candidates}.`) : null,
      table(`Decisions of run ${run.id}`, ['Repository', 'Tags', 'Digest', 'Action', 'Reason'], rows, 'No artifact was judged.'));
  }
  return live.element;
}

function policyView(policy: RetentionPolicy): Child[] {
  return [
    h('ol', { id: 'retention-rules', class: 'rules' }, policy.rules.map((r) => h('li', null, describeRule(r)))),
    policy.rules.length === 0 ? message('The policy has no rules: runs delete nothing.') : null,
    h('p', { class: 'meta' },
      'Schedule: ', policy.schedule ? `every ${policy.schedule.intervalHours} hours` : 'none (manual runs only)',
      policy.enabled ? null : [' ', badge('scheduled runs off', 'muted')],
      ' · updated ', time(policy.updatedAt), policy.updatedBy ? ` by ${policy.updatedBy}` : null),
    h('p', { class: 'muted' }, 'Per repository, each rule picks tags and keeps some of them; a picked tag no enabled rule keeps is deleted. Edit the policy with ', h('code', null, 'berth retention set'), ' or the API.'),
  ];
}
