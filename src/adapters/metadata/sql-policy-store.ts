// The PolicyStore on SQL (SQLite and PostgreSQL): immutability rules, quota limits, and the usage
// repair that rebuilds what sql-project-usage.ts books incrementally.
import { type Kysely, type Selectable } from 'kysely';
import type { Decoration, ImmutableRule, ImmutableRulePatch, PolicyStore, ProjectQuota, UsageRepair } from '../../core/ports/policy-store.js';
import type { SqlDialect } from './migrations.js';
import { projectOfColumn, type ImmutableRulesTable } from './policies-schema.js';
import type { Database } from './schema.js';
import { lockQuotaRow, recomputeProject } from './sql-project-usage.js';

/** A PolicyStore over an open, migrated Kysely database. */
export class SqlPolicyStore implements PolicyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async listImmutableRules(project: string): Promise<ImmutableRule[]> {
    const rows = await this.db.selectFrom('immutable_rules').selectAll().where('project', '=', project).orderBy('id').execute();
    return rows.map(toRule);
  }

  async getImmutableRule(project: string, id: number): Promise<ImmutableRule | null> {
    const row = await this.db.selectFrom('immutable_rules').selectAll().where('project', '=', project).where('id', '=', id).executeTakeFirst();
    return row ? toRule(row) : null;
  }

  async createImmutableRule(rule: Omit<ImmutableRule, 'id'>): Promise<ImmutableRule> {
    const row = await this.db
      .insertInto('immutable_rules')
      .values({
        project: rule.project,
        repository: rule.repository,
        repository_decoration: rule.repositoryDecoration,
        tag: rule.tag,
        tag_decoration: rule.tagDecoration,
        disabled: +rule.disabled,
        created_by: rule.createdBy,
        created_at: rule.createdAt.getTime(),
        updated_at: rule.updatedAt.getTime(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRule(row);
  }

  async updateImmutableRule(project: string, id: number, patch: ImmutableRulePatch, at: Date): Promise<ImmutableRule | null> {
    const result = await this.db
      .updateTable('immutable_rules')
      .set({
        updated_at: at.getTime(),
        ...(patch.repository !== undefined ? { repository: patch.repository } : {}),
        ...(patch.repositoryDecoration !== undefined ? { repository_decoration: patch.repositoryDecoration } : {}),
        ...(patch.tag !== undefined ? { tag: patch.tag } : {}),
        ...(patch.tagDecoration !== undefined ? { tag_decoration: patch.tagDecoration } : {}),
        ...(patch.disabled !== undefined ? { disabled: +patch.disabled } : {}),
      })
      .where('project', '=', project)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0 ? this.getImmutableRule(project, id) : null;
  }

  async deleteImmutableRule(project: string, id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('immutable_rules').where('project', '=', project).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async getQuota(project: string): Promise<ProjectQuota | null> {
    const row = await this.db.selectFrom('project_quotas').select(['project', 'hard', 'used']).where('project', '=', project).executeTakeFirst();
    return row ? toQuota(row) : null;
  }

  async listQuotas(): Promise<ProjectQuota[]> {
    const rows = await this.db.selectFrom('project_quotas').select(['project', 'hard', 'used']).orderBy('project').execute();
    return rows.map(toQuota);
  }

  async setHardLimit(project: string, hard: number | null): Promise<ProjectQuota> {
    return this.db.transaction().execute(async (trx) => {
      const { used } = await lockQuotaRow(trx, project, Date.now());
      await trx.updateTable('project_quotas').set({ hard }).where('project', '=', project).execute();
      return { project, hard, used };
    });
  }

  async recomputeUsage(project?: string): Promise<UsageRepair[]> {
    const projects = project !== undefined ? [project] : await this.projectsWithUsage();
    const repairs: UsageRepair[] = [];
    for (const p of projects) repairs.push(await this.db.transaction().execute((trx) => recomputeProject(trx, p)));
    return repairs;
  }

  /** Projects with a quota row or any repository, by name. */
  private async projectsWithUsage(): Promise<string[]> {
    const booked = await this.db.selectFrom('project_quotas').select('project').execute();
    const stored = await this.db.selectFrom('repositories').select(projectOfColumn(this.dialect, 'name').as('project')).distinct().execute();
    return [...new Set([...booked, ...stored].map((r) => r.project))].sort();
  }
}

function toRule(r: Selectable<ImmutableRulesTable>): ImmutableRule {
  return {
    id: Number(r.id),
    project: r.project,
    repository: r.repository,
    repositoryDecoration: r.repository_decoration as Decoration,
    tag: r.tag,
    tagDecoration: r.tag_decoration as Decoration,
    disabled: Number(r.disabled) === 1,
    createdBy: r.created_by,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
  };
}

function toQuota(r: { project: string; hard: number | null; used: number }): ProjectQuota {
  return { project: r.project, hard: r.hard === null ? null : Number(r.hard), used: Number(r.used) };
}
