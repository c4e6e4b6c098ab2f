// Admin: webhooks and their deliveries.

import { h, add, empty } from './dom.js';
import { t } from './i18n.js';
import { adminPage } from './admin-nav.js';

export async function webhooksPage(ctx) {
  add(adminPage(ctx, 'webhooks'), empty(t('admin.not_yet')));
}
