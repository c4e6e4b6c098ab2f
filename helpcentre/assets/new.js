// The request form's progressive enhancement (issue 19): the form works
// without this script; with it, the public articles that may answer the
// question appear as the customer types (after a pause), and the proof of
// work that lets the form skip the no-script limit is solved meanwhile.
(function () {
  'use strict';
  var form = document.getElementById('form');
  if (!form) { return; }
  var offers = document.getElementById('offers');
  var list = document.getElementById('offer-list');
  var session = form.elements.session.value;
  form.elements.seen.value = '1';
  var timer = null;
  var last = '';

  function render(articles) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    articles.forEach(function (a) {
      var li = document.createElement('li');
      var link = document.createElement('a');
      link.href = a.url + '?form=' + encodeURIComponent(session);
      link.target = '_blank';
      link.rel = 'noopener';
      var strong = document.createElement('strong');
      strong.textContent = a.title;
      link.appendChild(strong);
      var p = document.createElement('p');
      p.textContent = a.excerpt;
      li.appendChild(link);
      li.appendChild(p);
      list.appendChild(li);
    });
    offers.hidden = articles.length === 0;
  }

  function lookup() {
    var q = (form.elements.subject.value + ' ' + form.elements.body.value).trim().slice(0, 200);
    if (q.length < 2 || q === last) { return; }
    last = q;
    var u = '/help/new/suggest?q=' + encodeURIComponent(q) + '&session=' + encodeURIComponent(session) +
      '&email=' + encodeURIComponent(form.elements.email.value) + '&phone=' + encodeURIComponent(form.elements.phone.value);
    fetch(u, { credentials: 'same-origin' }).then(function (r) { return r.json(); })
      .then(function (b) { render(b.articles || []); }).catch(function () {});
  }

  function typed() {
    clearTimeout(timer);
    timer = setTimeout(lookup, 400);
  }
  form.elements.subject.addEventListener('input', typed);
  form.elements.body.addEventListener('input', typed);

  // The proof of work: a counter n such that SHA-256("<challenge>.<n>")
  // starts with the challenge's number of zero bits.
  function zeros(buf) {
    var b = new Uint8Array(buf), n = 0;
    for (var i = 0; i < b.length; i++) {
      if (b[i] === 0) { n += 8; continue; }
      for (var m = 0x80; m && !(b[i] & m); m >>= 1) { n++; }
      break;
    }
    return n;
  }
  var solved = null;
  if (window.crypto && crypto.subtle && window.TextEncoder) {
    var challenge = form.elements.pow.value;
    var bits = parseInt(challenge.split('.')[2], 10);
    var enc = new TextEncoder();
    solved = (async function () {
      for (var n = 0; n < 1 << 30; n++) {
        var sum = await crypto.subtle.digest('SHA-256', enc.encode(challenge + '.' + n));
        if (zeros(sum) >= bits) { form.elements.pow_solution.value = String(n); return; }
      }
    })();
  }
  var sending = false;
  form.addEventListener('submit', function (ev) {
    if (sending || !solved || form.elements.pow_solution.value) { return; }
    ev.preventDefault();
    sending = true;
    document.getElementById('submit').disabled = true;
    solved.then(function () { form.submit(); });
  });
})();
