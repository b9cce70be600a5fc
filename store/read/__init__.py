"""Read side: queries shaped for each consumer; everything returned is a frozen record."""
