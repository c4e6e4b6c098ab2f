// The help widget (issue 19): a company puts
//   <script src="https://help.example.com/help/widget.js" async></script>
// on its own site; a 帮助 button opens the request form (search first,
// then ask) in a frame. The help centre lets only the origins an admin
// allowed frame it (CSP frame-ancestors), so the script works there and
// nowhere else.
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me || window.__triageHelpWidget) { return; }
  window.__triageHelpWidget = true;
  var origin = new URL(me.src).origin;
  var button = document.createElement('button');
  button.type = 'button';
  button.id = 'triage-help-button';
  button.textContent = '帮助';
  button.setAttribute('aria-expanded', 'false');
  button.style.cssText = 'position:fixed;right:16px;bottom:16px;z-index:2147483646;min-height:44px;padding:10px 18px;' +
    'border:0;border-radius:22px;background:#0b63ce;color:#fff;font:16px sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.25)';
  var frame = null;
  button.addEventListener('click', function () {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = 'triage-help-frame';
      frame.title = '帮助中心';
      frame.src = origin + '/help/new?embed=1';
      frame.style.cssText = 'position:fixed;right:16px;bottom:72px;z-index:2147483647;width:min(400px,calc(100vw - 32px));' +
        'height:min(640px,calc(100vh - 96px));border:1px solid #d8dee4;border-radius:12px;background:#fff;box-shadow:0 4px 16px rgba(0,0,0,.2)';
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute('aria-expanded', String(!frame.hidden));
  });
  document.body.appendChild(button);
})();
