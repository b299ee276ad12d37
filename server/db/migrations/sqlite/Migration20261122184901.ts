import { Migration } from '@mikro-orm/migrations';

export class Migration20261122184901 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`auth_tokens\` (\`token_hash\` text not null, \`user_id\` text not null, \`created_at\` datetime not null, primary key (\`token_hash\`));`);
    this.addSql(`create index \`auth_tokens_user_id_index\` on \`auth_tokens\` (\`user_id\`);`);

    this.addSql(`create table \`credit_ledger\` (\`id\` text not null, \`user_id\` text not null, \`task_id\` text null, \`delta\` integer not null, \`reason\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`credit_ledger_user_id_index\` on \`credit_ledger\` (\`user_id\`);`);
    this.addSql(`create unique index \`credit_ledger_task_id_reason_unique\` on \`credit_ledger\` (\`task_id\`, \`reason\`);`);

    this.addSql(`create table \`idempotency_keys\` (\`user_id\` text not null, \`key\` text not null, \`task_id\` text not null, \`request_hash\` text not null, \`created_at\` datetime not null, primary key (\`user_id\`, \`key\`));`);

    this.addSql(`create table \`projects\` (\`id\` text not null, \`owner_id\` text not null, \`name\` text not null, \`original_topic\` text null, \`original_text\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`projects_owner_id_index\` on \`projects\` (\`owner_id\`);`);

    this.addSql(`create table \`tasks\` (\`id\` text not null, \`project_id\` text not null, \`owner_id\` text not null, \`stage\` text not null, \`status\` text not null, \`active_key\` text null, \`input\` text not null, \`attempt\` integer not null, \`max_attempts\` integer not null, \`progress\` integer not null, \`message\` text null, \`text\` text null, \`output\` text null, \`error\` text null, \`tokens_used\` integer null, \`credits_charged\` integer not null, \`last_seq\` integer not null, \`provider\` text null, \`model\` text null, \`created_at\` datetime not null, \`started_at\` datetime null, \`finished_at\` datetime null, \`processing_time_ms\` integer null, \`archived_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`tasks_owner_id_index\` on \`tasks\` (\`owner_id\`);`);
    this.addSql(`create unique index \`tasks_active_key_unique\` on \`tasks\` (\`active_key\`);`);
    this.addSql(`create index \`tasks_project_id_stage_created_at_index\` on \`tasks\` (\`project_id\`, \`stage\`, \`created_at\`);`);
    this.addSql(`create index \`tasks_status_created_at_index\` on \`tasks\` (\`status\`, \`created_at\`);`);

    this.addSql(`create table \`task_events\` (\`task_id\` text not null, \`seq\` integer not null, \`payload\` text not null, primary key (\`task_id\`, \`seq\`));`);

    this.addSql(`create table \`users\` (\`id\` text not null, \`email\` text not null, \`password_hash\` text not null, \`credits\` integer not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`users_email_unique\` on \`users\` (\`email\`);`);
  }

}
