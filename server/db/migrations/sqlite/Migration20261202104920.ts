import { Migration } from '@mikro-orm/migrations';

export class Migration20261202104920 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`stage_versions\` (\`id\` text not null, \`project_id\` text not null, \`owner_id\` text not null, \`stage\` text not null, \`source\` text not null, \`instructions\` text null, \`task_id\` text null, \`parent_id\` text null, \`output\` text not null, \`content_hash\` text not null, \`made_from\` text not null, \`cache_key\` text null, \`current\` integer not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`stage_versions_project_id_stage_created_at_index\` on \`stage_versions\` (\`project_id\`, \`stage\`, \`created_at\`);`);
    this.addSql(`create index \`stage_versions_owner_id_stage_cache_key_index\` on \`stage_versions\` (\`owner_id\`, \`stage\`, \`cache_key\`);`);

    this.addSql(`alter table \`tasks\` add column \`cache_policy\` text not null default 'REUSE';`);
    this.addSql(`alter table \`tasks\` add column \`cached\` integer not null default false;`);
    this.addSql(`alter table \`tasks\` add column \`refine\` text null;`);

    // Every completed task so far becomes a RUN version; the newest of each stage is current.
    this.addSql(`insert into stage_versions (id, project_id, owner_id, stage, source, task_id, output, content_hash, made_from, current, created_at)
      select t.id, t.project_id, t.owner_id, t.stage, 'RUN', t.id, t.output, '', '{}',
        case when t.id = (select n.id from tasks n where n.project_id = t.project_id and n.stage = t.stage and n.status = 'COMPLETED'
          order by n.finished_at desc, n.id desc limit 1) then 1 else 0 end,
        coalesce(t.finished_at, t.created_at)
      from tasks t where t.status = 'COMPLETED' and t.output is not null;`);
  }

}
