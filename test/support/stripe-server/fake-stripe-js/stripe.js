// A fake Stripe.js for the browser tests, served at https://js.stripe.com by routing (real
// Stripe.js must come from Stripe's origin, which these machines cannot reach). It does what the
// Payments page calls, the way Stripe.js does it: Stripe(), elements(), the Payment Element in a
// frame of Stripe's own origin (the card number is typed there and sent from there to Stripe's
// API, never to the page), confirmSetup, confirmPayment, handleNextAction, and a bank's 3-D
// Secure challenge in a frame of hooks.stripe.com. Requests go to https://api.stripe.com with
// the publishable key as the form's `key`, as Stripe.js sends them; the tests route that origin
// to the local Stripe-compatible server, so the page works on the state the SDK tests use.
(function () {
  "use strict";
  var API = "https://api.stripe.com";
  var JS_ORIGIN = "https://js.stripe.com";
  var HOOKS_ORIGIN = "https://hooks.stripe.com";
  var RELEASE = "endive";

  function form(params) {
    var body = new URLSearchParams();
    Object.keys(params).forEach(function (k) {
      if (params[k] !== undefined && params[k] !== null) body.append(k, String(params[k]));
    });
    return body;
  }

  function call(key, method, path, params) {
    var query = method === "GET" ? "?" + form(Object.assign({ key: key }, params)).toString() : "";
    return fetch(API + path + query, {
      method: method,
      headers: method === "GET" ? {} : { "Content-Type": "application/x-www-form-urlencoded" },
      body: method === "GET" ? undefined : form(Object.assign({ key: key }, params)),
    }).then(function (res) {
      return res.json().then(function (body) {
        return { ok: res.ok, body: body };
      });
    });
  }

  function intentIdOf(clientSecret) {
    var match = /^((?:pi|seti)_[A-Za-z0-9]+)_secret_/.exec(clientSecret || "");
    if (!match) throw new Error("Invalid value for clientSecret: it should be a client secret of the form ${id}_secret_${secret}.");
    return match[1];
  }

  // The bank's challenge, shown over the page in a frame of hooks.stripe.com; resolves when the
  // cardholder answers it there (or closes it, which fails the authentication).
  function challenge(intent) {
    return new Promise(function (resolve) {
      var overlay = document.createElement("div");
      overlay.setAttribute("data-stripe-challenge", "");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.4);display:flex;align-items:center;justify-content:center";
      var frame = document.createElement("iframe");
      frame.name = "stripe-challenge-frame";
      frame.title = "3D Secure authentication";
      frame.style.cssText = "width:min(400px,100vw);height:360px;border:0;background:#fff";
      frame.src = intent.next_action.use_stripe_sdk.stripe_js + "&client_secret=" + encodeURIComponent(intent.client_secret);
      overlay.appendChild(frame);
      document.body.appendChild(overlay);
      function onMessage(event) {
        if (event.origin !== HOOKS_ORIGIN || !event.data || event.data.type !== "stripe-3ds-complete") return;
        window.removeEventListener("message", onMessage);
        overlay.remove();
        resolve();
      }
      window.addEventListener("message", onMessage);
    });
  }

  function Element(stripe, group, type) {
    var self = this;
    var listeners = {};
    var frame = null;
    var id = "el_" + Math.random().toString(36).slice(2);
    var pending = {};
    self.complete = false;
    function emit(name, event) {
      (listeners[name] || []).slice().forEach(function (fn) {
        fn(event);
      });
    }
    function onMessage(event) {
      if (event.origin !== JS_ORIGIN || !event.data || event.data.element !== id) return;
      var data = event.data;
      if (data.type === "ready") emit("ready", { elementType: type });
      if (data.type === "change") {
        self.complete = data.complete;
        emit("change", { elementType: type, complete: data.complete, empty: data.empty, value: { type: "card" } });
      }
      if (data.type === "payment_method" && pending[data.nonce]) {
        pending[data.nonce](data);
        delete pending[data.nonce];
      }
    }
    self.on = function (name, fn) {
      (listeners[name] = listeners[name] || []).push(fn);
      return self;
    };
    self.once = self.on;
    self.off = function (name, fn) {
      listeners[name] = (listeners[name] || []).filter(function (f) {
        return f !== fn;
      });
      return self;
    };
    self.update = function () {};
    self.focus = function () {};
    self.mount = function (target) {
      var node = typeof target === "string" ? document.querySelector(target) : target;
      frame = document.createElement("iframe");
      frame.name = "__privateStripeFrame" + id;
      frame.title = "Secure payment input frame";
      frame.setAttribute("allowtransparency", "true");
      frame.style.cssText = "width:100%;height:150px;border:0";
      frame.src = JS_ORIGIN + "/" + RELEASE + "/elements/payment.html#" + form({ key: stripe._key, element: id }).toString();
      window.addEventListener("message", onMessage);
      node.appendChild(frame);
    };
    self.unmount = function () {
      if (frame) frame.remove();
      frame = null;
    };
    self.destroy = function () {
      self.unmount();
      window.removeEventListener("message", onMessage);
      group._elements = group._elements.filter(function (e) {
        return e !== self;
      });
    };
    // Asks the frame to create the payment method at Stripe from what was typed there; the
    // page gets back only its id (or the error to show).
    self._createPaymentMethod = function () {
      return new Promise(function (resolve) {
        var nonce = Math.random().toString(36).slice(2);
        pending[nonce] = resolve;
        frame.contentWindow.postMessage({ type: "create_payment_method", element: id, nonce: nonce }, JS_ORIGIN);
      });
    };
  }

  function Elements(stripe, options) {
    this._stripe = stripe;
    this._options = options || {};
    this._elements = [];
  }
  Elements.prototype.create = function (type) {
    if (type !== "payment") throw new Error("This fake Stripe.js has the Payment Element only, not " + type + ".");
    var element = new Element(this._stripe, this, type);
    this._elements.push(element);
    return element;
  };
  Elements.prototype.getElement = function (type) {
    return type === "payment" ? this._elements[0] || null : null;
  };
  Elements.prototype.update = function (options) {
    Object.assign(this._options, options);
  };
  Elements.prototype.submit = function () {
    var element = this._elements[0];
    if (!element || !element.complete) return Promise.resolve({ error: { type: "validation_error", message: "Your card details are incomplete." } });
    return Promise.resolve({});
  };
  Elements.prototype.fetchUpdates = function () {
    return Promise.resolve({});
  };

  function StripeInstance(key) {
    if (typeof key !== "string" || !/^pk_/.test(key)) throw new Error("Invalid API Key provided: " + key);
    this._key = key;
  }
  StripeInstance.prototype._registerWrapper = function () {};
  StripeInstance.prototype.registerAppInfo = function () {};
  StripeInstance.prototype.elements = function (options) {
    return new Elements(this, options);
  };
  StripeInstance.prototype.createToken = function () {
    return Promise.reject(new Error("createToken is not part of this fake"));
  };
  StripeInstance.prototype.createPaymentMethod = function () {
    return Promise.reject(new Error("createPaymentMethod is not part of this fake"));
  };
  StripeInstance.prototype.confirmCardPayment = function (clientSecret, data) {
    return this.confirmPayment({ clientSecret: clientSecret, confirmParams: data || {}, redirect: "if_required" });
  };

  // Confirms, then shows the bank's challenge when the intent asks for one, and reads the intent
  // back: { paymentIntent | setupIntent } when it went through, { error } when not.
  StripeInstance.prototype._confirmIntent = function (kind, clientSecret, params) {
    var self = this;
    var id = intentIdOf(clientSecret);
    var path = "/v1/" + (kind === "payment" ? "payment_intents/" : "setup_intents/") + id;
    return call(self._key, "POST", path + "/confirm", Object.assign({ client_secret: clientSecret }, params)).then(function (answer) {
      if (!answer.ok) return { error: answer.body.error };
      return self._afterConfirm(kind, clientSecret, answer.body);
    });
  };
  StripeInstance.prototype._afterConfirm = function (kind, clientSecret, intent) {
    var self = this;
    var id = intentIdOf(clientSecret);
    var path = "/v1/" + (kind === "payment" ? "payment_intents/" : "setup_intents/") + id;
    var shown = intent.status === "requires_action" ? challenge(intent) : Promise.resolve();
    return shown
      .then(function () {
        return call(self._key, "GET", path, { client_secret: clientSecret });
      })
      .then(function (answer) {
        if (!answer.ok) return { error: answer.body.error };
        var final = answer.body;
        var lastError = kind === "payment" ? final.last_payment_error : final.last_setup_error;
        if (final.status === "requires_payment_method" && lastError) {
          var error = Object.assign({}, lastError);
          error[kind === "payment" ? "payment_intent" : "setup_intent"] = final;
          return { error: error };
        }
        var result = {};
        result[kind === "payment" ? "paymentIntent" : "setupIntent"] = final;
        return result;
      });
  };
  StripeInstance.prototype.confirmSetup = function (options) {
    var self = this;
    var group = options && options.elements;
    var element = group && group.getElement("payment");
    var clientSecret = (options && options.clientSecret) || (group && group._options.clientSecret);
    if (!element) return Promise.reject(new Error("confirmSetup needs the elements of a mounted Payment Element."));
    if (!options.confirmParams || !options.confirmParams.return_url) {
      if (options.redirect !== "if_required") return Promise.reject(new Error("stripe.confirmSetup(): the `confirmParams.return_url` argument is required unless passing `redirect: 'if_required'`"));
    }
    return element._createPaymentMethod().then(function (made) {
      if (made.error) return { error: made.error };
      return self._confirmIntent("setup", clientSecret, { payment_method: made.id, return_url: options.confirmParams && options.confirmParams.return_url });
    });
  };
  StripeInstance.prototype.confirmPayment = function (options) {
    var params = Object.assign({}, options.confirmParams || {});
    if (!options.clientSecret) return Promise.reject(new Error("confirmPayment without Elements needs clientSecret."));
    return this._confirmIntent("payment", options.clientSecret, { payment_method: params.payment_method, return_url: params.return_url });
  };
  StripeInstance.prototype.handleNextAction = function (options) {
    var self = this;
    var id = intentIdOf(options.clientSecret);
    var kind = id.indexOf("seti_") === 0 ? "setup" : "payment";
    return call(self._key, "GET", "/v1/" + (kind === "payment" ? "payment_intents/" : "setup_intents/") + id, { client_secret: options.clientSecret }).then(function (answer) {
      if (!answer.ok) return { error: answer.body.error };
      return self._afterConfirm(kind, options.clientSecret, answer.body);
    });
  };

  function Stripe(key, options) {
    return new StripeInstance(key, options);
  }
  Stripe.version = RELEASE;
  window.Stripe = Stripe;
})();
