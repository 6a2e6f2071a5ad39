pytest_plugins = [
    "steps.plugin",
    "steps.common_steps",
    "steps.signup_steps",
    "steps.company_steps",
    "steps.account_steps",
    "steps.service_steps",
]
