enum _PlaceholderAccordCodegen {}
