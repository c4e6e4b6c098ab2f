// explain says the server's reasons (reasons.js) in the page's language,
// with actors by name.

import { lang, t } from './i18n.js';
import { actorName } from './api.js';
import { formatReason, formatReasons } from './reasons.js';

/** @typedef {import('./reasons.js').Reason} Reason */

function say() {
  return { lang: lang(), t, actor: actorName };
}

/**
 * reasonText says one reason; a string (an older version's sentence, a
 * person's note) is shown as written.
 * @param {Reason | string | null | undefined} r
 * @returns {string}
 */
export function reasonText(r) {
  return formatReason(r, say());
}

/**
 * reasonsText says a list of reasons in one line.
 * @param {Array<Reason | string> | Reason | string | null | undefined} list
 * @returns {string}
 */
export function reasonsText(list) {
  return formatReasons(list, say());
}
