/* A small ResizeObserver for old phone browsers that lack one (Android WebView < 64).
   The theme loads it only when window.ResizeObserver is missing; it used to come from unpkg.com,
   which our readers cannot rely on. Reports sizes on observe and on every window resize. */
(function () {
  if (window.ResizeObserver) return;
  function entry(el) {
    var r = el.getBoundingClientRect();
    return { target: el, contentRect: { width: r.width, height: r.height, top: 0, left: 0 } };
  }
  function RO(callback) { this.callback = callback; this.targets = []; var self = this;
    this.onResize = function () { self.fire(self.targets); };
    window.addEventListener("resize", this.onResize); }
  RO.prototype.fire = function (els) {
    if (els.length) this.callback(els.map(entry), this); };
  RO.prototype.observe = function (el) {
    if (this.targets.indexOf(el) < 0) this.targets.push(el);
    var self = this; setTimeout(function () { self.fire([el]); }, 0); };
  RO.prototype.unobserve = function (el) {
    this.targets = this.targets.filter(function (t) { return t !== el; }); };
  RO.prototype.disconnect = function () {
    this.targets = []; window.removeEventListener("resize", this.onResize); };
  window.ResizeObserver = RO;
})();
