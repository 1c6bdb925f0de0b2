// The card page: Stripe's card Element takes the card; Stripe saves it with the page's SetupIntent, then the
// form is posted to Cubby, which asks Stripe what was saved (the page posts no card details of its own).
(function () {
  "use strict";
  var form = document.getElementById("stripe-card-form");
  if (!form || typeof Stripe !== "function") return;
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var error = document.getElementById("card-error");
  var button = form.querySelector("button[type=submit]");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    error.textContent = "";
    stripe.confirmCardSetup(form.dataset.clientSecret, {
      payment_method: { card: card, billing_details: { name: document.getElementById("card-name").value } }
    }).then(function (result) {
      if (result.error) {
        error.textContent = (result.error.message || "The card was not accepted.") + " Nothing was charged.";
        button.disabled = false;
        return;
      }
      form.submit();
    });
  });
})();
