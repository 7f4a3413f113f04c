// A load balancer's idle timeout: how long a target may take to start its answer before the listener answers 504
// itself (ALB's idle_timeout.timeout_seconds; 60 s unless set).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('load_balancers', (t) => {
    t.integer('idle_timeout_seconds')
      .notNullable()
      .defaultTo(60)
      .comment('1..4000; an HTTP answer not begun by then is a 504');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('load_balancers', (t) => t.dropColumn('idle_timeout_seconds'));
}
