"""partner_analytics: govern a partnership with contact-centre outsourcers."""
